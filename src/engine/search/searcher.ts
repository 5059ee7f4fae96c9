// The searcher over one index generation: opens the file read-only (a WAL reader beside the writer),
// parses and compiles q/fq, runs the page, count, facet and highlight queries, and reads docs by key.
// Longer than most modules because it is the one place that sequences a search; each step is a helper.
import Database from 'better-sqlite3';
import type { IndexSpec } from '../../core/schema.js';
import type { IndexValue } from '../../core/value.js';
import { TidesearchError } from '../../errors/index.js';
import type { AnalyzerRegistry } from '../analysis/analyzer.js';
import type { FieldLayout } from '../store/layout.js';
import type { Query, WeightedField } from '../query/ast.js';
import { compileQuery, type CompiledQuery, type TermExpander } from '../query/compiler.js';
import { parseEdismax, parseFieldWeights } from '../query/edismax.js';
import { fieldCatalog, type FieldCatalog } from '../query/fields.js';
import type { SqlParam } from '../query/field-values.js';
import { parseLucene } from '../query/lucene-parser.js';
import { sqlOf } from '../query/condition.js';
import { afterMark, CURSOR_START, decodeMark, encodeMark, type MarkValue } from './cursor-mark.js';
import { canonical } from './doc-values.js';
import { countOf, fieldFacet } from './facets.js';
import { highlight, needlesOf, positiveLeaves } from './highlighter.js';
import { planSelect, type SelectPlan } from './plan.js';
import type { Doc, FacetResult, SearchRequest, SearchResult } from './request.js';
import { orderBy, sortKeys, type SortKey } from './sort-spec.js';
import { vocabTermExpander } from './term-expander.js';
import { cacheKey, resultCache } from './result-cache.js';
import { singleTerm, topKAnswerer } from './topk-answer.js';
import { scopeKey } from '../store/topk-table.js';
import { walkSorted } from './sorted-walk.js';
import { ftsTotals } from '../store/bm25.js';
import { vocabTermCounter } from './term-count.js';
import { valueCounter } from '../store/value-counts.js';
import { docCounter } from '../store/doc-count.js';
import { loadRankFunction } from '../store/rank-extension.js';

/** Searches one generation in the calling thread (synchronously: better-sqlite3 blocks its thread). */
export interface GenerationSearcher {
  readonly spec: IndexSpec;
  search(req: SearchRequest): SearchResult;
  /** Documents by document key (core/doc-key.ts), in the order asked; missing keys are skipped. */
  get(keys: readonly string[], fl?: string): readonly Doc[];
  close(): void;
}

/**
 * A generation's searcher as the API uses it: answers may be computed on another thread (search-pool.ts),
 * so the event loop stays free while a search runs. close() lets searches already asked for finish.
 */
export interface Searcher {
  readonly spec: IndexSpec;
  search(req: SearchRequest): Promise<SearchResult>;
  get(keys: readonly string[], fl?: string): Promise<readonly Doc[]>;
  close(): void;
}

/** A GenerationSearcher behind the Searcher interface, searching in the calling thread. */
export function inThread(s: GenerationSearcher): Searcher {
  return {
    spec: s.spec,
    search: async (req) => s.search(req),
    get: async (keys, fl) => s.get(keys, fl),
    close: () => s.close(),
  };
}

const MAX_ROWS = 100_000;
const WINDOW = 50;
const MAX_CACHED_WINDOW = 1000;
const STATEMENT_CACHE = 256;
/**
 * Request plans kept (planOf), and first-page statements kept per plan: at most 512 prepared statements beside
 * the statement cache's 256 (a few KiB each).
 */
const PLAN_CACHE = 256;
const PLAN_PAGES = 2;
// Rows per `rid IN (...)` statement when reading a page's documents (SQLite allows 32766 parameters).
const READ_CHUNK = 500;
// No memory map, and a small page cache. In WAL mode a connection drops its whole page cache, and unmaps the
// whole file, at its first read after another connection committed: with a live channel, at nearly every
// search. Both cost in proportion to what the connection held: unmapping the pages the searches since the last
// commit touched, freeing the cached pages (~1 ms for better-sqlite3's default 16 MiB). So a cheap query paid
// for the heavy one before it. 1M rows, a write before each query, queries in turn (engine, p50): a rare term
// after a facet 7.8 ms with a 2 GiB map, 0.57 ms without; the facet 53 -> 41 ms; fq + sort 65 -> 50 ms; exact
// 0.48 -> 0.37 ms. Without writes between them the map saves ~0.1-0.2 ms on cheap queries after heavy ones
// (rare 0.19 vs 0.42 ms) and nothing on heavy ones.
const CACHE_KIB = 2048;

export interface SearcherOptions {
  /** Query results kept (counts, ranked windows, facets); 0 turns the cache off. Default 512. */
  readonly resultCacheSize?: number;
  /** `bm25`: rank with FTS5's bm25() even where tsrank (rank-extension.ts) loads. Default: tsrank when it loads. */
  readonly rank?: 'auto' | 'bm25';
}

export function createSearcher(genPath: string, spec: IndexSpec, analyzers: AnalyzerRegistry, options: SearcherOptions = {}): GenerationSearcher {
  const db = new Database(genPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('mmap_size = 0');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  const rank = options.rank === 'bm25' ? 'bm25' : loadRankFunction(db);
  const fields = fieldCatalog(spec);
  // Whether a compilation asked the index for terms (wildcards, ranges on full-text fields): such a plan
  // depends on what the generation holds, and is not kept in the plan cache.
  const vocab = vocabTermExpander(db);
  let expanded = false;
  const expander: TermExpander = {
    expand(ftsColumn, match, limit) {
      expanded = true;
      return vocab.expand(ftsColumn, match, limit);
    },
  };
  const topk = topKAnswerer(db);
  // Which terms have a list: planned at seal, before the generation is searched (the change writer relies on the
  // same, store/writer.ts), so a term without a row never gets one. Most terms have none: they skip asking (one
  // indexed read, ~5-15 us of a rare term's ~150 us after a commit).
  const listed = topk === null ? null : new Set(db.prepare("SELECT cols || char(0) || term FROM topk_terms").pluck().all() as string[]);
  const mayHaveList = (match: string): boolean => {
    const one = singleTerm(match);
    return one !== null && listed !== null && listed.has(`${scopeKey(one.columns)}\u0000${one.term}`);
  };
  const termCount = vocabTermCounter(db, fields.ftsColumns);
  const valueCount = valueCounter(db);
  const docCount = docCounter(db);
  /**
   * numFound from stored counts (a one-term match's vocabulary, an exact value's row, the document count for
   * everything), or null: count the hits.
   */
  const storedCount = (plan: SelectPlan): number | null => {
    if (plan.matchesNothing) return null;
    if (plan.ftsOnly !== null) return termCount(plan.ftsOnly);
    if (plan.from === 'docs d' && plan.where === '1') return docCount();
    return plan.equality === null ? null : valueCount(plan.equality.column, plan.equality.value);
  };
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size >= STATEMENT_CACHE) cache.clear();
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  // Prepared once: db.pragma() would compile the statement again on every call.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const results = resultCache(() => dataVersion.get() as number, { capacity: options.resultCacheSize ?? 512 });
  // Column → an index of docs that starts with it (facet values are found by its seeks, sorted pages by its walk).
  const indexOf = new Map(
    (db.prepare("SELECT ii.name AS col, il.name AS ix FROM pragma_index_list('docs') il, pragma_index_info(il.name) ii WHERE ii.seqno = 0").all() as { col: string; ix: string }[]).map((r) => [r.col, r.ix]),
  );
  const stored = fields.layouts;
  // Only the stored columns a response returns are read: converting the others (long texts) into JS values for
  // nothing cost more than finding the rows (8 rows, all columns vs emp_no alone: 32 vs 8 us). A page's rows are
  // read by one statement (`rid IN (?, …)`) rather than one call per row: 8 rows 19 -> 6.5 us warm, 58 -> 47 cold.
  const readerOf = (wanted: FlSpec): readonly FieldLayout[] => (wanted.all ? stored : stored.filter((l) => wanted.names.has(l.field.name)));
  const columnsOf = (layouts: readonly FieldLayout[]) => layouts.map((l) => `, d.${l.column}`).join('');
  const readByRid = (rids: readonly unknown[], layouts: readonly FieldLayout[]): unknown[][] => {
    const cols = columnsOf(layouts);
    const found = new Map<unknown, unknown[]>();
    for (let at = 0; at < rids.length; at += READ_CHUNK) {
      const chunk = rids.slice(at, at + READ_CHUNK);
      const sql = `SELECT d.rid${cols} FROM docs d WHERE d.rid IN (${chunk.map(() => '?').join(', ')})`;
      for (const row of prepare(sql).raw(true).safeIntegers(true).all(...chunk) as unknown[][]) found.set(row[0], row.slice(1));
    }
    return rids.map((rid) => found.get(rid) ?? []);
  };
  // Whether SQLite runs a query in its ORDER BY order (rowid or an index) rather than sorting every row it finds:
  // asked once per SQL text of EXPLAIN QUERY PLAN.
  const sortFree = new Map<string, boolean>();
  const inIndexOrder = (sql: string, params: readonly unknown[]): boolean => {
    let free = sortFree.get(sql);
    if (free === undefined) {
      const steps = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
      free = !steps.some((s) => s.detail.startsWith('USE TEMP B-TREE') && s.detail.includes('ORDER BY'));
      if (sortFree.size >= STATEMENT_CACHE) sortFree.clear();
      sortFree.set(sql, free);
    }
    return free;
  };

  const compile = (query: Query, defaults: readonly WeightedField[], param: string): CompiledQuery =>
    compileQuery(query, { fields, analyzers, defaultFields: defaults, expander, param });

  // Plans of recent requests (q, fq, sort and the parameters they read), like a database's statement cache: a
  // repeated search skips parsing, analysis, compilation and planning. Plans that expanded terms from the index
  // are not kept (they change with the data); the others depend on the request and the spec alone.
  const plans = new Map<string, RequestPlan>();
  // A plan holds its query's analysis: when the registry's analyzers change (a user dictionary reloaded for
  // another generation in this thread), the plans made with the old ones go.
  let analysisVersion = analyzers.version ?? 0;
  const planOf = (req: SearchRequest): RequestPlan => {
    if ((analyzers.version ?? 0) !== analysisVersion) {
      plans.clear();
      analysisVersion = analyzers.version ?? 0;
    }
    // Each part with its length (absent: -1), so no two requests share a key whatever their text holds.
    const part = (v: string | undefined): string => (v === undefined ? '-1:' : `${v.length}:${v}`);
    let key = part(req.q) + part(req.defType) + part(req.qOp) + part(req.df) + part(req.qf) + part(req.sort);
    for (const f of req.fq ?? []) key += part(f);
    const hit = plans.get(key);
    if (hit !== undefined) {
      plans.delete(key);
      plans.set(key, hit);
      return hit;
    }
    expanded = false;
    const defaults = defaultFields(fields, req);
    const qText = (req.q ?? '').trim();
    const qAst: Query = qText === '' ? { kind: 'all', boost: 1 } : req.defType === 'edismax' ? parseEdismax(qText, { defaultOperator: req.qOp }) : parseLucene(qText, { defaultOperator: req.qOp });
    const q = compile(qAst, defaults, 'q');
    const fqs = (req.fq ?? []).filter((f) => f.trim() !== '').map((f) => compile(parseLucene(f, { defaultOperator: req.qOp }), defaults, 'fq'));
    const plan = planSelect(q, fqs, rank);
    const made: RequestPlan = { defaults, qAst, plan, keys: sortKeys(req.sort, fields, plan), listed: plan.ftsOnly !== null && mayHaveList(plan.ftsOnly), pages: new Map() };
    if (!expanded && PLAN_CACHE > 0) {
      if (plans.size >= PLAN_CACHE) plans.delete(plans.keys().next().value as string);
      plans.set(key, made);
    }
    return made;
  };

  /** A document (the fields fl asks for) from a row holding `layouts`' columns in that order. */
  const toDoc = (row: readonly unknown[], layouts: readonly FieldLayout[], wanted: FlSpec, score: number | undefined): Doc => {
    const doc: Record<string, IndexValue> = {};
    for (let i = 0; i < layouts.length; i++) {
      const l = layouts[i]!;
      if (!wanted.all && !wanted.names.has(l.field.name)) continue;
      const v = canonical(l, row[i]);
      if (v !== null) doc[l.field.name] = v;
    }
    if (wanted.score && score !== undefined) doc['score'] = score;
    return doc;
  };

  return {
    spec,
    search(req: SearchRequest): SearchResult {
      results.begin();
      const planned = planOf(req);
      const { defaults, qAst, plan, keys } = planned;
      const rows = Math.min(Math.max(req.rows ?? 10, 0), MAX_ROWS);
      const cursor = req.cursorMark;
      const start = cursor === undefined ? Math.max(req.start ?? 0, 0) : 0;
      if (cursor !== undefined && (req.start ?? 0) !== 0) {
        throw new TidesearchError('BAD_REQUEST', "Cursor functionality does not work with 'start' other than 0; page with cursorMark alone", { field: 'start' });
      }
      const wanted = parseFl(req.fl);
      let numFound: number | undefined;
      const count = (): number =>
        (numFound ??= results.through(cacheKey('count', [plan.from, plan.where, plan.ftsOnly, ...plan.fromParams, ...plan.whereParams]), () => storedCount(plan) ?? countOf(prepare, plan)));

      // The page: ranked on fts alone when the full-text match is the only predicate and order is by score.
      const ftsRank = plan.ftsOnly !== null && keys.every((k) => k.expr === plan.rankAsc || k.expr === 'd.rid');
      const rid = ftsRank ? 'fts.rowid' : 'd.rid';
      const rankKeys = keys.map((k) => (k.expr === 'd.rid' ? { ...k, expr: rid } : k));
      const whereParams: SqlParam[] = [...plan.whereParams];
      let where = plan.where;
      if (cursor !== undefined && cursor !== CURSOR_START) {
        where = `(${where}) AND (${afterMark(rankKeys, decodeMark(cursor, keys.length), whereParams)})`;
      }
      // Rank first (rid, score, sort keys only: the sorter then carries a few values per hit, not whole
      // documents), then read the page's documents by rid. With the full-text match as the only predicate
      // and a score/docid order, ranking runs on the FTS table alone, without touching docs.
      // bm25() is costly per hit: select it once (as r); ORDER BY reuses the identical result expression.
      const keyCols = rankKeys.map((k, i) => `${k.expr === plan.rankAsc ? 'NULL' : k.expr} AS k${i}`).join(', ');
      // A constant score orders nothing, and left in ORDER BY it hides an index order (a sort of every hit).
      const orderKeys = plan.constantScore ? rankKeys.filter((k) => k.expr !== plan.rankAsc) : rankKeys;
      // Sorted by fields and without score in fl, no row needs its bm25: skip computing it for every hit.
      const needScore = wanted.score || rankKeys.some((k) => k.expr === plan.rankAsc);
      // numFound without a count statement: a ranked run from offset 0 over the whole result (no cursor bound)
      // that comes back short holds every hit (rare terms, phrases). And when the rows come from the fts join
      // with other predicates (no cheap vocabulary count), ordering them visits every hit anyway: the same pass
      // counts them (COUNT(*) OVER (), in a sub-select because bm25() only works beside its MATCH).
      const wholeResult = where === plan.where;
      const countInPage = wholeResult && plan.ftsDriven !== null && plan.ftsOnly === null && !ftsRank;
      // The sort keys' values are carried only where they are read back: for the next cursorMark, and by the
      // sub-select's outer ORDER BY; elsewhere every ranked row would carry them through the sorter for nothing
      // (start=10000 of 37k hits: ~5% of the statement).
      const carried = cursor !== undefined || countInPage ? keyCols : rankKeys.map((_, i) => `NULL AS k${i}`).join(', ');
      const selectList = `${rid}, ${needScore ? plan.rankAsc : 'NULL'} AS r, ${carried}`;
      const fromWhere = `FROM ${ftsRank ? 'fts' : plan.from} WHERE ${where}`;
      const select = `SELECT ${selectList} ${fromWhere}`;
      const nCol = 2 + rankKeys.length;
      // Outside the sub-select, each key is read from the column that carries it.
      const alias = (k: SortKey): SortKey => ({ ...k, expr: k.expr === rid ? 'id' : k.expr === plan.rankAsc ? 'r' : `k${rankKeys.indexOf(k)}` });
      // Without its LIMIT: a window's size is written into the SQL (a handful of statements, one per window size),
      // which measured ~10 us less per query than a bound `LIMIT ? OFFSET ?`; other pages bind them.
      const pageSql = countInPage
        ? `SELECT *, COUNT(*) OVER () AS n FROM (${select.replace(`SELECT ${rid}, `, `SELECT ${rid} AS id, `)}) ORDER BY ${orderBy(orderKeys.map(alias))}`
        : `${select} ORDER BY ${orderBy(orderKeys)}`;
      // Ranked rows come in windows of WINDOW (Solr's queryResultWindowSize) so the next pages are cached too.
      const windowEnd = Math.ceil((start + rows) / WINDOW) * WINDOW;
      const params = [...plan.fromParams, ...whereParams];
      const inferCount = (got: readonly unknown[][], limit: number, offset: number): void => {
        if (!wholeResult) return;
        if (countInPage && got.length > 0) numFound ??= Number(got[0]![nCol]);
        else if (got.length < limit && (offset === 0 || got.length > 0)) numFound ??= offset + got.length;
      };
      const run = (limit: number, offset: number) => {
        const literal = offset === 0 && limit % WINDOW === 0 && limit <= MAX_CACHED_WINDOW;
        const stmt = prepare(literal ? `${pageSql} LIMIT ${limit}` : `${pageSql} LIMIT ? OFFSET ?`).raw(true).safeIntegers(true);
        const got = (literal ? stmt.all(...params) : stmt.all(...params, limit, offset)) as unknown[][];
        inferCount(got, limit, offset);
        return got;
      };
      // One frequent term ranked by score: the generation's stored top-K answers it exactly, or declines (it
      // counts the hits only for a term it holds).
      const byScore = keys.length === 2 && keys[0]!.expr === plan.rankAsc && keys[0]!.dir === 'asc' && keys[1]!.expr === 'd.rid' && keys[1]!.dir === 'asc';
      const fromTopK = (limit: number): unknown[][] | null => {
        if (topk === null || !byScore || cursor !== undefined || plan.ftsOnly === null || plan.constantScore || !planned.listed) return null;
        const top = topk.page(plan.ftsOnly, plan.bm25, limit, count);
        return top && top.map(([r, score]) => [r, score, ...rankKeys.map((k) => (k.expr === plan.rankAsc ? null : r))]);
      };
      // Sorted by an indexed field, without scores: walk that field's index (sorted-walk.ts), or decline.
      const walkIndex = keys[0] !== undefined && /^d\.\w+$/.test(keys[0].expr) && keys[0].expr !== 'd.rid' ? indexOf.get(keys[0].expr.slice(2)) : undefined;
      const fromWalk = (): unknown[][] | null => {
        const driven = plan.ftsDriven;
        if (driven === null || driven.rest !== '' || walkIndex === undefined || ftsRank || needScore || !wholeResult || plan.matchesNothing) return null;
        return results.through(cacheKey('walk', [pageSql, ...params, windowEnd]), () => {
          const totals = ftsTotals(db);
          if (totals === null) return null;
          // The match is the only predicate: its hits are numFound, counted cheaply (vocabulary or FTS5 alone).
          return walkSorted(prepare, { match: driven.match, keyCols, keys: rankKeys, index: walkIndex, limit: windowEnd, rows: totals.rows, hits: count() });
        });
      };
      // Highlighting reads its fields (and the unique key) from the same rows: then every column is read.
      const readLayouts = req.hl ? stored : readerOf(wanted);
      // When SQLite returns rows in the page's order without sorting every match (rowid or an index order, as
      // for an exact match on an indexed field sorted by docid), a page costs what it reads: it is read exactly,
      // with its documents' columns, instead of as a cached window and a second read by rid (exact match, 250k
      // rows: 3 statements -> 2, ~25 us less). Its rows carry those columns from index docAt on.
      const docAt = 2 + rankKeys.length;
      const direct = (): unknown[][] | null => {
        if (ftsRank || countInPage || plan.matchesNothing || !inIndexOrder(`${pageSql} LIMIT 1`, params)) return null;
        // A first page's size is written into the SQL, like a window's; later pages bind LIMIT and OFFSET.
        const literal = start === 0 && rows <= MAX_CACHED_WINDOW;
        const sql = `SELECT ${selectList}${columnsOf(readLayouts)} ${fromWhere} ORDER BY ${orderBy(orderKeys)} ${literal ? `LIMIT ${rows}` : 'LIMIT ? OFFSET ?'}`;
        const args = literal ? params : [...params, rows, start];
        const got = results.through(cacheKey(sql, args), () => prepare(sql).raw(true).safeIntegers(true).all(...args) as unknown[][]);
        inferCount(got, rows, start);
        withDocs = true;
        return got;
      };
      // The first page of a ranking on fts alone: its rows and their documents in one statement, instead of a
      // window of WINDOW ranked rows and a second statement for the page's documents (a rare term, 1M rows, a
      // write before each query: its SQL 99 -> 90 us, the search 116-119 -> 112-114 us). Later pages come from
      // the window. A page that comes back full leaves numFound to the count, which a window of up to WINDOW
      // hits would have told.
      const firstRanked = (): unknown[][] | null => {
        if (!ftsRank || start !== 0 || cursor !== undefined || rows > WINDOW) return null;
        // Its statement depends on the plan, rows and the columns read alone: kept with the plan.
        const pageKey = `${rows} ${needScore ? 1 : 0} ${req.hl ? 'hl' : `fl:${req.fl ?? '*'}`}`;
        let page = planned.pages.get(pageKey);
        if (page === undefined) {
          const ranked = `SELECT ${rid} AS id, ${needScore ? plan.rankAsc : 'NULL'} AS r, ${carried} ${fromWhere} ORDER BY ${orderBy(orderKeys)} LIMIT ${rows}`;
          const sql = `SELECT t.*${columnsOf(readLayouts)} FROM (${ranked}) t LEFT JOIN docs d ON d.rid = t.id ORDER BY ${orderBy(orderKeys.map(alias))}`;
          page = { sql, stmt: db.prepare(sql).raw(true).safeIntegers(true) };
          if (planned.pages.size >= PLAN_PAGES) planned.pages.clear();
          planned.pages.set(pageKey, page);
        }
        const stmt = page.stmt;
        const got = results.through(cacheKey(page.sql, params), () => stmt.all(...params) as unknown[][]);
        inferCount(got, rows, 0);
        withDocs = true;
        return got;
      };
      let withDocs = false;
      const windowed = (): unknown[][] => {
        const walked = fromWalk();
        if (walked !== null) return walked.slice(start, start + rows);
        const exact = direct();
        if (exact !== null) return exact;
        const first = firstRanked();
        if (first !== null) return first;
        const key = cacheKey(pageSql, [...params, windowEnd]);
        const window = results.through(key, () => run(windowEnd, 0));
        inferCount(window, windowEnd, 0);
        return window.slice(start, start + rows);
      };
      // The top-K is asked for exactly this page (a whole window may reach past what it can vouch for).
      const page = plan.matchesNothing || rows === 0 ? [] : (fromTopK(start + rows)?.slice(start) ?? (windowEnd <= MAX_CACHED_WINDOW ? windowed() : (direct() ?? run(rows, start))));
      const docRows = withDocs ? page.map((r) => r.slice(docAt)) : page.length === 0 ? [] : readByRid(page.map((r) => r[0]), readLayouts);
      const scoreOf = (r: unknown[]): number => (plan.constantScore ? 1 : -Number(r[1]));
      const docs = docRows.map((row, i) => toDoc(row, readLayouts, wanted, scoreOf(page[i]!)));
      let maxScore: number | undefined;
      if (wanted.score) {
        const sortedByScore = keys[0]?.name === 'score' && keys[0].dir === 'asc';
        maxScore = sortedByScore
          ? maxScoreOf(prepare, plan, page.length ? scoreOf(page[0]!) : undefined, true)
          : results.through(cacheKey('maxScore', [plan.from, plan.where, ...plan.fromParams, ...plan.whereParams]), () => maxScoreOf(prepare, plan, undefined, false));
      }

      const result: { -readonly [K in keyof SearchResult]: SearchResult[K] } = { numFound: count(), start, docs };
      if (maxScore !== undefined) result.maxScore = maxScore;
      if (cursor !== undefined) {
        const last = page[page.length - 1];
        result.nextCursorMark = last ? encodeMark(keys.map((k, i) => markValue(k.expr === plan.rankAsc ? last[1] : last[2 + i]))) : cursor;
      }
      if (req.facet) result.facets = facets(req, plan, defaults);
      if (req.hl) result.highlighting = highlights(req, qAst, defaults, docRows);
      return result;
    },
    get(keys: readonly string[], fl?: string): readonly Doc[] {
      const wanted = parseFl(fl);
      const layouts = readerOf(wanted);
      const stmt = prepare(`SELECT 1${columnsOf(layouts)} FROM docs d WHERE d.doc_key = ?`).raw(true).safeIntegers(true);
      const out: Doc[] = [];
      for (const key of keys) {
        const row = stmt.get(key) as unknown[] | undefined;
        if (row) out.push(toDoc(row.slice(1), layouts, { ...wanted, score: false }, undefined));
      }
      return out;
    },
    close(): void {
      cache.clear();
      if (db.open) db.close();
    },
  };

  function facets(req: SearchRequest, plan: SelectPlan, defaults: readonly WeightedField[]): FacetResult {
    const f = req.facet!;
    const queries = f.queries.map((text): [string, number] => {
      const c = compile(parseLucene(text, { defaultOperator: req.qOp }), defaults, 'facet.query');
      const params: SqlParam[] = [];
      const sql = sqlOf(c.condition, params);
      return [text, results.through(cacheKey('facet.query', [sql, plan.from, plan.where, ...params, ...plan.fromParams, ...plan.whereParams]), () => countOf(prepare, plan, sql, params))];
    });
    const byField = f.fields.map((name): [string, [string, number][]] => [
      name,
      results.through(cacheKey('facet', [name, f.limit, f.mincount, f.offset, f.sort, plan.from, plan.where, ...plan.fromParams, ...plan.whereParams]), () => fieldFacet(prepare, fields, plan, name, f, (c) => indexOf.has(c))),
    ]);
    return { queries, fields: byField };
  }

  function highlights(req: SearchRequest, q: Query, defaults: readonly WeightedField[], docRows: readonly unknown[][]) {
    const hl = req.hl!;
    const names = hl.fields.length === 0 ? defaults.map((d) => d.name) : hl.fields.flatMap((n) => (n === '*' ? fields.layouts.filter((l) => l.ftsColumn).map((l) => l.field.name) : n.split(/[\s,]+/)));
    const targets = names.map((n) => fields.find(n)).filter((l): l is FieldLayout => l !== undefined);
    const leaves = positiveLeaves(q);
    const perField = targets.map((layout) => {
      const analyzer = layout.ftsColumn !== null ? analyzers.get(layout.field.token) : null;
      const tokens: string[] = [];
      const prefixes: string[] = [];
      for (const leaf of leaves) {
        if (leaf.kind === 'all' || leaf.kind === 'bool') continue;
        const onField = leaf.field === null ? defaults.some((d) => d.name === layout.field.name) : fields.find(leaf.field) === layout;
        if (!onField) continue;
        if (leaf.kind === 'term' || leaf.kind === 'phrase') {
          if (analyzer) tokens.push(...analyzer.analyze(leaf.text, 'query'));
          tokens.push(leaf.text.toLowerCase());
        } else if (leaf.kind === 'prefix') prefixes.push(leaf.prefix.toLowerCase());
      }
      return { layout, needles: needlesOf(tokens, prefixes), analyze: analyzer ? (w: string) => analyzer.analyze(w, 'index') : undefined };
    });
    const key = fields.uniqueKey;
    return docRows.map((row): [string, Record<string, string[]>] => {
      const keyText = key ? String(canonical(key, row[fields.layouts.indexOf(key)])) : '';
      const entry: Record<string, string[]> = {};
      for (const { layout, needles, analyze } of perField) {
        const v = row[fields.layouts.indexOf(layout)];
        if (v === null || v === undefined) continue;
        const snippet = highlight(String(v), needles, { pre: hl.pre ?? '<em>', post: hl.post ?? '</em>', fragsize: hl.fragsize ?? 100 }, analyze);
        if (snippet !== null) entry[layout.field.name] = [snippet];
      }
      return [keyText, entry];
    });
  }
}

/** What a request's q, fq and sort compile to: the same for every search that repeats them. */
interface RequestPlan {
  readonly defaults: readonly WeightedField[];
  readonly qAst: Query;
  readonly plan: SelectPlan;
  readonly keys: readonly SortKey[];
  /** Whether the generation may hold a top-K list for its one term (topk_terms). */
  readonly listed: boolean;
  /** First ranked pages' statements, by rows, score and the columns read (firstRanked). */
  readonly pages: Map<string, { readonly sql: string; readonly stmt: Database.Statement }>;
}

interface FlSpec {
  readonly all: boolean;
  readonly names: ReadonlySet<string>;
  readonly score: boolean;
}

function parseFl(fl: string | undefined): FlSpec {
  const items = (fl ?? '*').split(/[\s,]+/).filter(Boolean);
  const names = new Set(items.filter((i) => i !== '*' && i !== 'score'));
  return { all: items.length === 0 || items.includes('*'), names, score: items.includes('score') };
}

/** df (lucene) or qf (edismax); without either, every full-text field (Solr would demand df). */
function defaultFields(fields: FieldCatalog, req: SearchRequest): WeightedField[] {
  if (req.defType === 'edismax' && req.qf && req.qf.trim() !== '') return parseFieldWeights(req.qf);
  if (req.df && req.df.trim() !== '') return parseFieldWeights(req.df, 'df');
  const fts = fields.layouts.filter((l) => l.ftsColumn !== null);
  return (fts.length ? fts : fields.layouts).map((l) => ({ name: l.field.name, weight: 1 }));
}

function markValue(v: unknown): MarkValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}

// Best score of the whole result: the first row when sorted by score, else one more ranked query.
function maxScoreOf(prepare: (sql: string) => Database.Statement, plan: SelectPlan, first: number | undefined, sortedByScore: boolean): number | undefined {
  if (plan.matchesNothing) return undefined;
  if (sortedByScore) return first;
  const v = prepare(`SELECT ${plan.score} FROM ${plan.from} WHERE ${plan.where} ORDER BY ${plan.rankAsc} ASC LIMIT 1`)
    .pluck()
    .get(...plan.fromParams, ...plan.whereParams);
  return v === undefined ? undefined : Number(v);
}
