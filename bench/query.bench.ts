// Query benchmark (issue 3, BENCHMARKS.md): p50/p99/QPS of ten realistic queries on Tidesearch, over HTTP
// (select) and in-process (the searcher the server's search threads run, on the same file, no transport), and
// in the same run the same questions as raw SQL on the generation file (SQLite FTS5: the page's ids and the
// hit count, as a Solr answer carries numFound), MariaDB InnoDB FULLTEXT over an ik-segmented copy of the bios
// (innodb-segmented.ts), and Sphinx searchd over SphinxQL. Query words are picked from the index's own document frequencies. Prints tables only.
// Run: npm run bench:query -- [--rows 1000000] [--data <dir with index 'emp'>] [--budget-ms 3000] [--in-turn-rounds 20] [--skip-sphinx] [--skip-innodb]
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import type { IndexSpec } from '../src/core/schema.js';
import { createAnalyzers } from '../src/engine/analysis/index.js';
import { layoutOf } from '../src/engine/store/layout.js';
import { compileQuery, fieldCatalog, parseLucene } from '../src/engine/query/index.js';
import { planSelect } from '../src/engine/search/plan.js';
import { vocabTermExpander } from '../src/engine/search/term-expander.js';
import { startMariaDb, createEmployeesTable, createEmployeeGenerator } from '../test/support/index.js';
import { fmt, loadNow, measure, ms, parseFlags, percentile, printMachine, printTable, peakRssMiB, type LatencyStats } from './common.js';
import { setUpSphinx, type Sphinx } from './sphinx.js';
import { loadSegmentedBios, SEGMENTED_TABLE } from './innodb-segmented.js';
import { createBody, serverModule, startTidesearch, timedBuild } from './tidesearch.js';

const flags = parseFlags();
const N = flags.num('rows', 1_000_000);
const BUDGET = flags.num('budget-ms', 3000);
const IN_TURN_ROUNDS = flags.num('in-turn-rounds', 20);
const CLIENTS = 8;
/** MariaDB's INNODB_FT_DEFAULT_STOPWORD: InnoDB FULLTEXT finds nothing for these. */
const INNODB_STOPWORDS = new Set('a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(' '));
printMachine(`bench:query, ${fmt(N)} rows`);

/**
 * Raw SQL on the generation file answering what our response holds: the page's emp_no values (`page`) and
 * numFound, from a `count` statement (one value), a page's second column (`page+count`: COUNT(*) OVER ()), or
 * as the sum of a `facet` statement's counts (its GROUP BY keeps the NULL group, so the counts add up to the hits).
 */
interface RawStatement {
  readonly sql: string;
  readonly args: readonly unknown[];
  readonly yields: 'page' | 'count' | 'facet' | 'page+count';
}

interface Query {
  readonly name: string;
  readonly solr: Record<string, string>;
  readonly fts: readonly RawStatement[];
  readonly innodb: readonly { sql: string; args: readonly unknown[] }[];
  readonly sphinx: readonly string[];
}

const HTTP = 'ours (HTTP select)';
const ENGINE = 'ours (engine, in-process)';
const RAW = 'raw FTS5 (in-process)';
const SYSTEMS = [HTTP, ENGINE, RAW, 'InnoDB FULLTEXT', 'Sphinx searchd'] as const;
type System = (typeof SYSTEMS)[number];
/** Synchronous in this process: measured sequentially only (concurrent calls would only serialize). */
const IN_PROCESS: readonly System[] = [ENGINE, RAW];

/** What one call answered: hits (numFound, or rows of the first statement for InnoDB and Sphinx), page ids when known. */
interface Answer {
  readonly hits: number;
  readonly ids?: readonly string[];
}

const db = await startMariaDb({ database: 'employees', serverArgs: ['--innodb-buffer-pool-size=2G', '--innodb-ft-min-token-size=1'], connectionLimit: CLIENTS + 1 });
const srv = await startTidesearch(flags.str('data'));
let sphinx: Sphinx | undefined;
let sphinxConns: mysql.Connection[] = [];
try {
  const seeded = await createEmployeesTable(db.pool, { rows: N });
  console.log(`seeded ${fmt(N)} rows in ${(seeded.elapsedMs / 1000).toFixed(1)} s`);

  const status = await srv.admin('do_get_index_status', { indexName: 'emp' });
  if (status.success) {
    console.log(`reusing index 'emp' in ${srv.dataDir} (${fmt(status.bizresult.doc_num)} docs)`);
  } else {
    const b = await timedBuild(srv, createBody(db, 'emp'));
    console.log(`built index 'emp': ${fmt(N / b.seconds)} rows/s, server peak RSS ${fmt(b.peakRssMiB)} MiB  [load ${loadNow()}]`);
  }
  const st = (await srv.admin('do_get_index_status', { indexName: 'emp' })).bizresult;
  const genFile = join(srv.dataDir, 'indexes', 'emp', `gen-${st.live_generation}.sqlite`);
  if (!existsSync(genFile)) throw new Error(`no generation file ${genFile}: ${readdirSync(join(srv.dataDir, 'indexes', 'emp'))}`);
  const gdb = new Database(genFile, { readonly: true, fileMustExist: true });
  // As the server's searcher reads it (src/engine/search/searcher.ts): no memory map, a 2 MiB page cache.
  gdb.pragma('mmap_size = 0');
  gdb.pragma('cache_size = -2048');
  const spec = JSON.parse((gdb.prepare("SELECT value FROM meta WHERE key = 'spec'").get() as { value: string }).value) as IndexSpec;
  const layout = new Map(layoutOf(spec).map((l) => [l.field.name, l]));
  const col = (f: string) => layout.get(f)!;

  const analyzers = createAnalyzers();
  const queries = pickQueries(gdb, spec, col, analyzers);
  // Our engine in this process: the searcher each of the server's search threads runs (search-worker.ts), on
  // the same file, plus the Solr layer's parameter parsing and JSON writing; only HTTP and the thread hop are
  // left out. Measured beside raw FTS5, which runs in this process too.
  // Loaded as the server runs them (compiled, unless BENCH_TSX=1): tsx's transform gives every closure a
  // runtime name (~8 us of a rare term's ~80 on a search's closures), which production does not pay.
  const { createSearcher } = await serverModule<typeof import('../src/engine/search/index.js')>('engine/search/index.js');
  const { collectParams, echoedParams, searchRequestOf } = await serverModule<typeof import('../src/api/solr/params.js')>('api/solr/params.js');
  const { selectBody } = await serverModule<typeof import('../src/api/solr/response.js')>('api/solr/response.js');
  const { writeJson } = await serverModule<typeof import('../src/api/solr/json-writer.js')>('api/solr/json-writer.js');
  const served = await serverModule<typeof import('../src/engine/analysis/index.js')>('engine/analysis/index.js');
  const searcher = createSearcher(genFile, spec, served.createAnalyzers());
  // The server caches results until the file's data_version changes; a write from this process before each
  // timed query (untimed) makes every query do its work. --cached measures the cache instead. The write also
  // empties SQLite's page cache of every other connection, so raw FTS5 gets the same write before each of its
  // queries: both read the file under the same conditions.
  const writer = new Database(genFile, { fileMustExist: true });
  writer.pragma('busy_timeout = 5000');
  const bumpStmt = writer.prepare("INSERT INTO meta(key, value) VALUES ('bench_nonce', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  let nonce = 0;
  const bust = flags.has('cached') ? undefined : () => void bumpStmt.run(String(++nonce));
  console.log(flags.has('cached') ? 'result cache: ON (--cached)' : 'result cache: bypassed (data_version bumped before each timed query)');
  console.log('queries:');
  for (const q of queries) console.log(`  ${q.name.padEnd(34)} ${new URLSearchParams(q.solr).toString()}`);

  if (!flags.has('skip-innodb')) {
    const seg = await loadSegmentedBios(db.pool, analyzers.get('ik'), N);
    console.log(`InnoDB: ik-segmented bios loaded in ${seg.loadSeconds.toFixed(1)} s, FULLTEXT index built in ${seg.indexSeconds.toFixed(1)} s  [load ${loadNow()}]`);
  }
  if (!flags.has('skip-sphinx')) {
    sphinx = await setUpSphinx({ host: db.host, port: db.port, db: 'employees', table: 'employess' });
    const r = await sphinx.index();
    console.log(`Sphinx indexer: ${fmt(N / r.seconds)} rows/s, ${fmt(r.indexMiB)} MiB  [load ${loadNow()}]`);
    await sphinx.startSearchd();
    sphinxConns = await Promise.all(Array.from({ length: CLIENTS }, () => mysql.createConnection({ host: '127.0.0.1', port: sphinx!.sqlPort })));
  }

  // Prepared once, as our engine's statements are (preparing costs 10-30 us a statement: most of a cheap query).
  const rawStatements = new Map<string, Database.Statement>();
  const rawStatement = (sql: string): Database.Statement => {
    let st = rawStatements.get(sql);
    if (!st) rawStatements.set(sql, (st = gdb.prepare(sql).raw(true)));
    return st;
  };
  const idsOf = (docs: readonly Record<string, unknown>[]) => docs.map((d) => String(d['emp_no']));
  const runners: Record<System, ((q: Query, client: number) => Promise<Answer> | Answer) | null> = {
    [HTTP]: async (q) => {
      const r = (await srv.select('emp', { ...q.solr, fl: 'emp_no', wt: 'json' })).response;
      return { hits: r.numFound as number, ids: idsOf(r.docs) };
    },
    [ENGINE]: (q) => {
      const params = collectParams({ ...q.solr, fl: 'emp_no', wt: 'json' });
      const result = searcher.search(searchRequestOf(params));
      writeJson({ responseHeader: { status: 0, QTime: 0, params: echoedParams(params) }, ...selectBody(result) });
      return { hits: result.numFound, ids: idsOf(result.docs) };
    },
    [RAW]: (q) => {
      let hits = 0;
      let ids: string[] = [];
      for (const s of q.fts) {
        const stmt = rawStatement(s.sql);
        if (s.yields === 'page' || s.yields === 'page+count') {
          const rows = stmt.all(...s.args) as unknown[][];
          ids = rows.map((r) => String(r[0]));
          if (s.yields === 'page+count') hits = rows.length ? Number(rows[0]![1]) : 0;
        } else if (s.yields === 'count') hits = Number((stmt.get(...s.args) as unknown[])[0]);
        else hits = (stmt.all(...s.args) as unknown[][]).reduce((n, r) => n + Number(r[1]), 0);
      }
      return { hits, ids };
    },
    'InnoDB FULLTEXT': flags.has('skip-innodb')
      ? null
      : async (q) => {
          let hits = 0;
          for (const [i, s] of q.innodb.entries()) {
            const [rows] = await db.pool.query(s.sql, s.args as unknown[]);
            if (i === 0) hits = (rows as unknown[]).length;
          }
          return { hits };
        },
    'Sphinx searchd': sphinx
      ? async (q, client) => {
          let hits = 0;
          for (const [i, s] of q.sphinx.entries()) {
            const [rows] = await sphinxConns[client % sphinxConns.length]!.query(s);
            if (i === 0) hits = (rows as unknown[]).length;
          }
          return { hits };
        }
      : null,
  };

  // The fixed cost of one HTTP round trip to the server, for reading the ours ÷ raw FTS5 ratios.
  const floor = await measure(() => fetch(`${srv.url}/healthz`).then((r) => r.text()), { iterations: 500, clients: 1, budgetMs: BUDGET, minIterations: 10 });
  console.log(`HTTP floor (GET /healthz): p50 ${ms(floor.p50)} ms, p99 ${ms(floor.p99)} ms`);
  const seq = new Map<string, LatencyStats | null>();
  const conc = new Map<string, LatencyStats | null>();
  const hits = new Map<string, string>();
  const answers = new Map<string, Answer>();
  for (const q of queries) {
    for (const sys of SYSTEMS) {
      const run = runners[sys];
      if (!run) continue;
      const key = `${q.name}|${sys}`;
      try {
        const a = await run(q, 0);
        answers.set(key, a);
        hits.set(key, String(a.hits));
        const slow = sys === 'InnoDB FULLTEXT';
        const before = sys === HTTP || IN_PROCESS.includes(sys) ? bust : undefined;
        if (sys === RAW) continue; // measured in turns with the engine (below)
        if (sys === ENGINE) {
          // The engine and raw FTS5 run in turns, so that load from others on this machine weighs on both alike.
          const raw = runners[RAW]!;
          const rawAnswer = raw(q, 0) as Answer;
          answers.set(`${q.name}|${RAW}`, rawAnswer);
          hits.set(`${q.name}|${RAW}`, String(rawAnswer.hits));
          const [e, r] = measureInTurns([() => run(q, 0), () => raw(q, 0)], { iterations: 500, budgetMs: 2 * BUDGET, minIterations: 10, before });
          seq.set(key, e!);
          seq.set(`${q.name}|${RAW}`, r!);
          continue;
        }
        seq.set(key, await measure(() => run(q, 0), { iterations: 500, clients: 1, budgetMs: BUDGET, minIterations: slow ? 3 : 10, warmup: 1, before }));
        if (!IN_PROCESS.includes(sys)) {
          let c = 0;
          conc.set(key, await measure(() => run(q, c++), { iterations: 2000, clients: CLIENTS, budgetMs: BUDGET, minIterations: slow ? CLIENTS : 4 * CLIENTS, warmup: 0, before }));
        }
      } catch (err) {
        console.log(`  ${sys} / ${q.name}: ${(err as Error).message.slice(0, 200)}`);
        seq.set(key, null);
      }
    }
    console.log(`  measured: ${q.name}  [load ${loadNow()}]`);
  }
  // The queries in turn, a write before each, as a live channel makes them run: a query starts after one of
  // another kind, and pays for whatever that one left in the connection (searcher.ts: why no memory map).
  const inTurn = new Map<string, number[]>();
  if (bust) {
    const engine = runners[ENGINE]!;
    for (let round = 0; round <= IN_TURN_ROUNDS; round++) {
      for (const q of queries) {
        bust();
        const t = performance.now();
        engine(q, 0);
        const took = performance.now() - t;
        if (round > 0) (inTurn.get(q.name) ?? inTurn.set(q.name, []).get(q.name)!).push(took);
      }
    }
  }
  searcher.close();
  gdb.close();
  writer.close();

  const cell = (s: LatencyStats | null | undefined) => (s ? `${ms(s.p50)} / ${ms(s.p99)} (${fmt(s.qps)}/s)` : '—');
  const active = SYSTEMS.filter((s) => runners[s]);
  console.log(`\nsequential, one client: p50 / p99 ms (QPS); top 10 ids (emp_no) and the hit count`);
  printTable(['query', 'hits (ours)', ...active], queries.map((q) => [q.name, hits.get(`${q.name}|${HTTP}`) ?? '—', ...active.map((s) => cell(seq.get(`${q.name}|${s}`)))]));
  const concActive = active.filter((s) => !IN_PROCESS.includes(s));
  console.log(`\n${CLIENTS} concurrent clients: p50 / p99 ms (QPS)`);
  printTable(['query', ...concActive], queries.map((q) => [q.name, ...concActive.map((s) => cell(conc.get(`${q.name}|${s}`)))]));
  console.log(`\nhits: numFound for ours and raw FTS5 (they must agree), rows of the first statement for InnoDB and Sphinx (10 = a full page; InnoDB searches the ik-segmented copy, Sphinx sees CJK as single characters); same top 10: emp_no lists of engine and raw FTS5 equal`);
  const same = (q: Query) => {
    const a = answers.get(`${q.name}|${ENGINE}`)?.ids;
    const b = answers.get(`${q.name}|${RAW}`)?.ids;
    return a && b ? (a.join() === b.join() ? 'yes' : `NO: ${a.slice(0, 3).join()}… vs ${b.slice(0, 3).join()}…`) : '—';
  };
  printTable(['query', ...active, 'same top 10'], queries.map((q) => [q.name, ...active.map((s) => hits.get(`${q.name}|${s}`) ?? '—'), same(q)]));
  const ratio = (a: LatencyStats | null | undefined, b: LatencyStats | null | undefined, p: 'p50' | 'p99', minus = 0) => (a && b ? (Math.max(0, a[p] - minus) / b[p]).toFixed(2) : '—');
  console.log(`\nours ÷ raw FTS5 (target ≤ 1.3 for the engine in-process, the like-for-like figure). Over HTTP ours also pays the round trip (HTTP floor p50 ${ms(floor.p50)} ms) and the hop to a search thread; raw FTS5 pays neither:`);
  printTable(
    ['query', 'engine ÷ raw p50', 'engine ÷ raw p99', 'HTTP ÷ raw p50', 'HTTP ÷ raw p99', 'HTTP minus floor ÷ raw p50'],
    queries.map((q) => {
      const e = seq.get(`${q.name}|${ENGINE}`);
      const h = seq.get(`${q.name}|${HTTP}`);
      const r = seq.get(`${q.name}|${RAW}`);
      return [q.name, ratio(e, r, 'p50'), ratio(e, r, 'p99'), ratio(h, r, 'p50'), ratio(h, r, 'p99'), ratio(h, r, 'p50', floor.p50)];
    }),
  );
  if (inTurn.size) {
    console.log(`\nengine in-process, the ${queries.length} queries in turn with a write before each (as with a live channel), ${IN_TURN_ROUNDS} rounds: p50 / p99 ms, beside each query measured alone`);
    printTable(
      ['query', 'in turn', 'alone'],
      queries.map((q) => {
        const a = [...(inTurn.get(q.name) ?? [])].sort((x, y) => x - y);
        const alone = seq.get(`${q.name}|${ENGINE}`);
        return [q.name, a.length ? `${ms(percentile(a, 50))} / ${ms(percentile(a, 99))}` : '—', alone ? `${ms(alone.p50)} / ${ms(alone.p99)}` : '—'];
      }),
    );
  }
  console.log(`\nserver peak RSS ${fmt(peakRssMiB(srv.child.pid!))} MiB; load average at end ${loadNow()}`);
} finally {
  for (const c of sphinxConns) await c.end().catch(() => {});
  await sphinx?.stop();
  await srv.kill('SIGTERM');
  if (!flags.str('data')) rmSync(srv.dataDir, { recursive: true, force: true });
  await db.stop();
}

/**
 * Sequential latencies of synchronous in-process calls taken in turns (a, b, a, b, …, each after `before`), so
 * that a change of load during the run weighs on all of them alike. QPS here is 1 / mean latency.
 */
function measureInTurns(fns: readonly (() => unknown)[], o: { iterations: number; budgetMs: number; minIterations: number; before?: (() => void) | undefined }): LatencyStats[] {
  for (let i = 0; i < 3; i++) for (const f of fns) f();
  const lat = fns.map((): number[] => []);
  const started = performance.now();
  for (let i = 0; i < o.iterations && (i < o.minIterations || performance.now() - started < o.budgetMs); i++) {
    fns.forEach((f, k) => {
      o.before?.();
      const t = performance.now();
      f();
      lat[k]!.push(performance.now() - t);
    });
  }
  return lat.map((l) => {
    l.sort((a, b) => a - b);
    return { n: l.length, p50: percentile(l, 50), p99: percentile(l, 99), qps: (1000 * l.length) / l.reduce((a, b) => a + b, 0) };
  });
}

/** Picks query words from the index's own term statistics so that hit counts are realistic. */
function pickQueries(gdb: Database.Database, spec: IndexSpec, col: (f: string) => ReturnType<typeof layoutOf>[number], analyzers: ReturnType<typeof createAnalyzers>): Query[] {
  const bio = col('bio').ftsColumn!;
  const docs = Number(gdb.prepare('SELECT COUNT(*) FROM docs').pluck().get());
  gdb.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, fts, 'col')`);
  const terms = gdb.prepare(`SELECT term, doc FROM temp.vocab WHERE col = ? AND doc > 2`).all(bio) as { term: string; doc: number }[];
  const han = terms.filter((t) => /^\p{Script=Han}{1,4}$/u.test(t.term));
  const chinese = han.filter((t) => t.term.length >= 2);
  const closest = (list: typeof terms, target: number) => list.reduce((best, t) => (Math.abs(t.doc - target) < Math.abs(best.doc - target) ? t : best));
  const rare = closest(chinese, 8);
  const veryCommon = closest(han, docs * 0.15);
  const common = closest(chinese.filter((t) => t.term !== veryCommon.term), docs * 0.076);
  // A common English word InnoDB FULLTEXT can answer too (4+ letters, none of its default stopwords), in ~5%.
  const english = closest(terms.filter((t) => /^[a-z]{4,}$/.test(t.term) && !INNODB_STOPWORDS.has(t.term)), docs * 0.05);
  const gen = createEmployeeGenerator();
  const ik = analyzers.get('ik');
  // A phrase: two adjacent two-or-more-character Chinese words as they stand in a real bio.
  let phraseText = '';
  let phraseWords = '';
  for (let i = 17; !phraseText; i += 31) {
    const text = gen.row(i).bio ?? '';
    const toks = ik.analyze(text, 'query').filter((t) => /^\p{Script=Han}{2,}$/u.test(t));
    for (let k = 0; k + 1 < toks.length && !phraseText; k++) {
      if (!text.includes(toks[k]! + toks[k + 1]!)) continue;
      phraseText = toks[k]! + toks[k + 1]!;
      phraseWords = `${toks[k]!} ${toks[k + 1]!}`;
    }
  }
  const firstNames = new Map<string, number>();
  for (let i = 0; i < 5000; i++) firstNames.set(gen.row(i).first_name, (firstNames.get(gen.row(i).first_name) ?? 0) + 1);
  const firstName = [...firstNames].sort((a, b) => b[1] - a[1])[0]![0];

  // The FTS5 expression our compiler writes for `bio:<text>`: raw FTS5 asks the identical question.
  const catalog = fieldCatalog(spec);
  const expander = vocabTermExpander(gdb);
  const ftsOf = (text: string, asPhrase: boolean) => {
    const q = compileQuery(parseLucene(`bio:${asPhrase ? `"${text}"` : text}`), { fields: catalog, analyzers, defaultFields: [], expander, param: 'q' });
    return planSelect(q, []).ftsOnly!;
  };
  const d = (f: string) => col(f).sortColumn;
  const empNo = col('emp_no').column;
  // Raw FTS5 answers what our response holds: the page (emp_no of each row, ties broken by rid as ours are) and
  // numFound, each by the cheapest plain SQL measured (250k rows, p50): a one-term count from the FTS5 vocabulary
  // (the same read our engine makes; `COUNT(*) ... MATCH` 0.55 ms / 1.06 ms for 18k / 37k hits, vocabulary 0.56 /
  // 0.71), other counts by COUNT(*) apart (COUNT(*) OVER () beside a bm25 ranking costs 5-10 ms more, as the
  // window keeps every hit), except where the page already visits and sorts every joined hit (fq): there
  // COUNT(*) OVER () adds nothing measurable, while a separate count costs another 6 ms.
  const page = (sql: string, args: readonly unknown[]): RawStatement => ({ sql, args, yields: 'page' });
  const top = (expr: string, offset = 0) =>
    page(`SELECT d.${empNo} FROM (SELECT rowid AS r FROM fts WHERE fts MATCH ? ORDER BY bm25(fts), rowid LIMIT 10 OFFSET ${offset}) t JOIN docs d ON d.rid = t.r`, [expr]);
  const termCount = (term: string): RawStatement => ({ sql: 'SELECT COALESCE((SELECT doc FROM temp.vocab WHERE term = ? AND col = ?), 0)', args: [term, bio], yields: 'count' });
  const matchCount = (expr: string): RawStatement => ({ sql: 'SELECT COUNT(*) FROM fts WHERE fts MATCH ?', args: [expr], yields: 'count' });
  // InnoDB ranks natural-language matches by relevance when MATCH is in WHERE; sorts and filters join the source
  // table for its columns.
  const innoTop = (w: string, offset = 0, boolean = false) => ({
    sql: `SELECT emp_no FROM ${SEGMENTED_TABLE} WHERE MATCH(seg) AGAINST(? IN ${boolean ? 'BOOLEAN' : 'NATURAL LANGUAGE'} MODE) LIMIT 10 OFFSET ${offset}`,
    args: [w],
  });
  const innoJoined = (tail: string) => `SELECT s.emp_no FROM ${SEGMENTED_TABLE} s JOIN employees.employess e ON e.emp_no = s.emp_no WHERE MATCH(s.seg) AGAINST(?) ${tail}`;
  const sq = (w: string) => w.replace(/['\\"]/g, '');
  const sphinxTop = (w: string, extra = '') => `SELECT id FROM emp WHERE MATCH('@bio "${sq(w)}"') ${extra}`;
  const q = (name: string, w: string, o: Partial<Query> = {}): Query => ({
    name,
    solr: { q: `bio:${w}`, rows: '10' },
    fts: [top(ftsOf(w, false)), termCount(w)],
    innodb: [innoTop(w)],
    sphinx: [sphinxTop(w, 'LIMIT 10')],
    ...o,
  });
  return [
    q(`rare term (${rare.term}, ${rare.doc} docs)`, rare.term),
    q(`common Chinese (${common.term}, ${fmt(common.doc)})`, common.term),
    q(`very common (${veryCommon.term}, ${fmt(veryCommon.doc)})`, veryCommon.term),
    q(`common English (${english.term}, ${fmt(english.doc)})`, english.term),
    q(`phrase "${phraseText}"`, phraseText, {
      solr: { q: `bio:"${phraseText}"`, rows: '10' },
      fts: [top(ftsOf(phraseText, true)), matchCount(ftsOf(phraseText, true))],
      innodb: [innoTop(`"${phraseWords}"`, 0, true)],
    }),
    q(`common, sort hire_date`, common.term, {
      solr: { q: `bio:${common.term}`, sort: 'hire_date desc', rows: '10' },
      fts: [page(`SELECT d.${empNo} FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? ORDER BY d.${d('hire_date')} DESC, d.rid LIMIT 10`, [ftsOf(common.term, false)]), termCount(common.term)],
      innodb: [{ sql: innoJoined('ORDER BY e.hire_date DESC LIMIT 10'), args: [common.term] }],
      sphinx: [`SELECT id FROM emp WHERE MATCH('@bio "${sq(common.term)}"') ORDER BY hire_date DESC LIMIT 10`],
    }),
    q(`common + fq gender:M, sort hire_date`, common.term, {
      solr: { q: `bio:${common.term}`, fq: 'gender:M', sort: 'hire_date desc', rows: '10' },
      fts: [
        {
          sql: `SELECT d.${empNo}, COUNT(*) OVER () FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? AND d.${d('gender')} = 'M' ORDER BY d.${d('hire_date')} DESC, d.rid LIMIT 10`,
          args: [ftsOf(common.term, false)],
          yields: 'page+count',
        },
      ],
      innodb: [{ sql: innoJoined("AND e.gender = 'M' ORDER BY e.hire_date DESC LIMIT 10"), args: [common.term] }],
      sphinx: [`SELECT id FROM emp WHERE MATCH('@bio "${sq(common.term)}"') AND gender_attr = 'M' ORDER BY hire_date DESC LIMIT 10`],
    }),
    q(`common + facet.field=gender`, common.term, {
      solr: { q: `bio:${common.term}`, facet: 'true', 'facet.field': 'gender', rows: '10' },
      fts: [top(ftsOf(common.term, false)), { sql: `SELECT d.${d('gender')} AS g, COUNT(*) AS n FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? GROUP BY 1`, args: [ftsOf(common.term, false)], yields: 'facet' }],
      innodb: [innoTop(common.term), { sql: `SELECT e.gender, COUNT(*) FROM ${SEGMENTED_TABLE} s JOIN employees.employess e ON e.emp_no = s.emp_no WHERE MATCH(s.seg) AGAINST(?) GROUP BY e.gender`, args: [common.term] }],
      sphinx: [sphinxTop(common.term, 'LIMIT 10'), `SELECT gender_attr, COUNT(*) FROM emp WHERE MATCH('@bio "${sq(common.term)}"') GROUP BY gender_attr`],
    }),
    q(`very common, start=10000`, veryCommon.term, {
      solr: { q: `bio:${veryCommon.term}`, start: '10000', rows: '10' },
      fts: [top(ftsOf(veryCommon.term, false), 10000), termCount(veryCommon.term)],
      innodb: [innoTop(veryCommon.term, 10000)],
      sphinx: [sphinxTop(veryCommon.term, 'LIMIT 10000, 10 OPTION max_matches=10010')],
    }),
    q(`exact first_name:${firstName}`, firstName, {
      solr: { q: `first_name:${firstName}`, rows: '10' },
      fts: [page(`SELECT ${empNo} FROM docs WHERE ${d('first_name')} = ? ORDER BY rid LIMIT 10`, [firstName]), { sql: `SELECT COUNT(*) FROM docs WHERE ${d('first_name')} = ?`, args: [firstName], yields: 'count' }],
      innodb: [{ sql: 'SELECT emp_no FROM employees.employess WHERE first_name = ? LIMIT 10', args: [firstName] }],
      sphinx: [`SELECT id FROM emp WHERE MATCH('@first_name "^${sq(firstName)}$"') LIMIT 10`],
    }),
  ];
}
