// Query benchmark (issue 3, BENCHMARKS.md): p50/p99/QPS of eight realistic queries on Tidesearch (HTTP
// select), and in the same run the same queries as raw SQL on the generation file (SQLite FTS5), MariaDB
// InnoDB FULLTEXT on the source table, and Sphinx searchd over SphinxQL. Query words are picked from the
// index's own document frequencies. Prints tables only.
// Run: npm run bench:query -- [--rows 1000000] [--data <dir with index 'emp'>] [--budget-ms 3000] [--skip-sphinx] [--skip-innodb]
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
import { fmt, loadNow, measure, ms, parseFlags, printMachine, printTable, peakRssMiB, type LatencyStats } from './common.js';
import { setUpSphinx, type Sphinx } from './sphinx.js';
import { createBody, startTidesearch, timedBuild } from './tidesearch.js';

const flags = parseFlags();
const N = flags.num('rows', 1_000_000);
const BUDGET = flags.num('budget-ms', 3000);
const CLIENTS = 8;
printMachine(`bench:query, ${fmt(N)} rows`);

interface Query {
  readonly name: string;
  readonly solr: Record<string, string>;
  /** Raw SQL on the generation file; every statement is run, the first one's rows counted. */
  readonly fts: readonly { sql: string; args: readonly unknown[] }[];
  readonly innodb: readonly { sql: string; args: readonly unknown[] }[];
  readonly sphinx: readonly string[];
}

const SYSTEMS = ['ours (HTTP select)', 'raw FTS5 (in-process)', 'InnoDB FULLTEXT', 'Sphinx searchd'] as const;
type System = (typeof SYSTEMS)[number];

const db = await startMariaDb({ database: 'employees', serverArgs: ['--innodb-buffer-pool-size=2G'], connectionLimit: CLIENTS + 1 });
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
  gdb.pragma('mmap_size = 2147483648'); // as the server's searcher reads it (src/engine/search/searcher.ts)
  const spec = JSON.parse((gdb.prepare("SELECT value FROM meta WHERE key = 'spec'").get() as { value: string }).value) as IndexSpec;
  const layout = new Map(layoutOf(spec).map((l) => [l.field.name, l]));
  const col = (f: string) => layout.get(f)!;

  const queries = pickQueries(gdb, spec, col);
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
    const t = performance.now();
    await db.exec('ALTER TABLE employees.employess ADD FULLTEXT INDEX ft_bio (bio)');
    console.log(`InnoDB FULLTEXT index on bio built in ${((performance.now() - t) / 1000).toFixed(1)} s  [load ${loadNow()}]`);
  }
  if (!flags.has('skip-sphinx')) {
    sphinx = await setUpSphinx({ host: db.host, port: db.port, db: 'employees', table: 'employess' });
    const r = await sphinx.index();
    console.log(`Sphinx indexer: ${fmt(N / r.seconds)} rows/s, ${fmt(r.indexMiB)} MiB  [load ${loadNow()}]`);
    await sphinx.startSearchd();
    sphinxConns = await Promise.all(Array.from({ length: CLIENTS }, () => mysql.createConnection({ host: '127.0.0.1', port: sphinx!.sqlPort })));
  }

  const runners: Record<System, ((q: Query, client: number) => Promise<number> | number) | null> = {
    'ours (HTTP select)': async (q) => (await srv.select('emp', { ...q.solr, fl: 'emp_no', wt: 'json' })).response.numFound as number,
    'raw FTS5 (in-process)': (q) => {
      let hits = 0;
      q.fts.forEach((s, i) => {
        const rows = gdb.prepare(s.sql).all(...s.args);
        if (i === 0) hits = rows.length;
      });
      return hits;
    },
    'InnoDB FULLTEXT': flags.has('skip-innodb')
      ? null
      : async (q) => {
          let hits = 0;
          for (const [i, s] of q.innodb.entries()) {
            const [rows] = await db.pool.query(s.sql, s.args as unknown[]);
            if (i === 0) hits = (rows as unknown[]).length;
          }
          return hits;
        },
    'Sphinx searchd': sphinx
      ? async (q, client) => {
          let hits = 0;
          for (const [i, s] of q.sphinx.entries()) {
            const [rows] = await sphinxConns[client % sphinxConns.length]!.query(s);
            if (i === 0) hits = (rows as unknown[]).length;
          }
          return hits;
        }
      : null,
  };

  // The fixed cost of one HTTP round trip to the server, for reading the ours ÷ raw FTS5 ratios.
  const floor = await measure(() => fetch(`${srv.url}/healthz`).then((r) => r.text()), { iterations: 500, clients: 1, budgetMs: BUDGET, minIterations: 10 });
  console.log(`HTTP floor (GET /healthz): p50 ${ms(floor.p50)} ms, p99 ${ms(floor.p99)} ms`);
  const seq = new Map<string, LatencyStats | null>();
  const conc = new Map<string, LatencyStats | null>();
  const hits = new Map<string, string>();
  for (const q of queries) {
    for (const sys of SYSTEMS) {
      const run = runners[sys];
      if (!run) continue;
      const key = `${q.name}|${sys}`;
      try {
        const h = await run(q, 0);
        hits.set(key, String(h));
        const slow = sys === 'InnoDB FULLTEXT';
        const before = sys === 'ours (HTTP select)' || sys === 'raw FTS5 (in-process)' ? bust : undefined;
        seq.set(key, await measure(() => run(q, 0), { iterations: 500, clients: 1, budgetMs: BUDGET, minIterations: slow ? 3 : 10, warmup: 1, before }));
        // Raw FTS5 runs synchronously in this process: concurrency would only serialize.
        if (sys !== 'raw FTS5 (in-process)') {
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
  gdb.close();
  writer.close();

  const cell = (s: LatencyStats | null | undefined) => (s ? `${ms(s.p50)} / ${ms(s.p99)} (${fmt(s.qps)}/s)` : '—');
  const active = SYSTEMS.filter((s) => runners[s]);
  console.log(`\nsequential, one client: p50 / p99 ms (QPS); top 10 ids`);
  printTable(['query', 'hits (ours)', ...active], queries.map((q) => [q.name, hits.get(`${q.name}|ours (HTTP select)`) ?? '—', ...active.map((s) => cell(seq.get(`${q.name}|${s}`)))]));
  const concActive = active.filter((s) => s !== 'raw FTS5 (in-process)');
  console.log(`\n${CLIENTS} concurrent clients: p50 / p99 ms (QPS)`);
  printTable(['query', ...concActive], queries.map((q) => [q.name, ...concActive.map((s) => cell(conc.get(`${q.name}|${s}`)))]));
  console.log(`\nrows returned by the first statement (10 = a full page; InnoDB cannot split Chinese, Sphinx sees CJK as single characters):`);
  printTable(['query', ...active], queries.map((q) => [q.name, ...active.map((s) => hits.get(`${q.name}|${s}`) ?? '—')]));
  console.log(`\nours ÷ raw FTS5 (target ≤ 1.3); HTTP floor p50 ${ms(floor.p50)} ms is included in ours, not in raw FTS5:`);
  printTable(
    ['query', 'ratio p50', 'ratio p99', 'ratio p50 minus HTTP floor'],
    queries.map((q) => {
      const a = seq.get(`${q.name}|ours (HTTP select)`);
      const b = seq.get(`${q.name}|raw FTS5 (in-process)`);
      return [q.name, a && b ? (a.p50 / b.p50).toFixed(2) : '—', a && b ? (a.p99 / b.p99).toFixed(2) : '—', a && b ? (Math.max(0, a.p50 - floor.p50) / b.p50).toFixed(2) : '—'];
    }),
  );
  console.log(`\nserver peak RSS ${fmt(peakRssMiB(srv.child.pid!))} MiB; load average at end ${loadNow()}`);
} finally {
  for (const c of sphinxConns) await c.end().catch(() => {});
  await sphinx?.stop();
  await srv.kill('SIGTERM');
  if (!flags.str('data')) rmSync(srv.dataDir, { recursive: true, force: true });
  await db.stop();
}

/** Picks query words from the index's own term statistics so that hit counts are realistic. */
function pickQueries(gdb: Database.Database, spec: IndexSpec, col: (f: string) => ReturnType<typeof layoutOf>[number]): Query[] {
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
  const gen = createEmployeeGenerator();
  const analyzers = createAnalyzers();
  const ik = analyzers.get('ik');
  // A phrase: two adjacent two-or-more-character Chinese words as they stand in a real bio.
  let phraseText = '';
  for (let i = 17; !phraseText; i += 31) {
    const text = gen.row(i).bio ?? '';
    const toks = ik.analyze(text, 'query').filter((t) => /^\p{Script=Han}{2,}$/u.test(t));
    for (let k = 0; k + 1 < toks.length && !phraseText; k++) if (text.includes(toks[k]! + toks[k + 1]!)) phraseText = toks[k]! + toks[k + 1]!;
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
  const top = (expr: string, offset = 0) => ({ sql: `SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 10 OFFSET ${offset}`, args: [expr] });
  const innoTop = (w: string, offset = 0, boolean = false) => ({
    sql: `SELECT emp_no FROM employees.employess WHERE MATCH(bio) AGAINST(? IN ${boolean ? 'BOOLEAN' : 'NATURAL LANGUAGE'} MODE) LIMIT 10 OFFSET ${offset}`,
    args: [w],
  });
  const sq = (w: string) => w.replace(/['\\"]/g, '');
  const sphinxTop = (w: string, extra = '') => `SELECT id FROM emp WHERE MATCH('@bio "${sq(w)}"') ${extra}`;
  const q = (name: string, w: string, o: Partial<Query> = {}): Query => ({
    name,
    solr: { q: `bio:${w}`, rows: '10' },
    fts: [top(ftsOf(w, false))],
    innodb: [innoTop(w)],
    sphinx: [sphinxTop(w, 'LIMIT 10')],
    ...o,
  });
  return [
    q(`rare term (${rare.term}, ${rare.doc} docs)`, rare.term),
    q(`common Chinese (${common.term}, ${fmt(common.doc)})`, common.term),
    q(`very common (${veryCommon.term}, ${fmt(veryCommon.doc)})`, veryCommon.term),
    q(`phrase "${phraseText}"`, phraseText, {
      solr: { q: `bio:"${phraseText}"`, rows: '10' },
      fts: [top(ftsOf(phraseText, true))],
      innodb: [innoTop(`"${phraseText}"`, 0, true)],
    }),
    q(`common, sort hire_date`, common.term, {
      solr: { q: `bio:${common.term}`, sort: 'hire_date desc', rows: '10' },
      fts: [{ sql: `SELECT d.rid FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? ORDER BY d.${d('hire_date')} DESC LIMIT 10`, args: [ftsOf(common.term, false)] }],
      innodb: [{ sql: `SELECT emp_no FROM employees.employess WHERE MATCH(bio) AGAINST(?) ORDER BY hire_date DESC LIMIT 10`, args: [common.term] }],
      sphinx: [`SELECT id FROM emp WHERE MATCH('@bio "${sq(common.term)}"') ORDER BY hire_date DESC LIMIT 10`],
    }),
    q(`common + fq gender:M, sort hire_date`, common.term, {
      solr: { q: `bio:${common.term}`, fq: 'gender:M', sort: 'hire_date desc', rows: '10' },
      fts: [{ sql: `SELECT d.rid FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? AND d.${d('gender')} = 'M' ORDER BY d.${d('hire_date')} DESC LIMIT 10`, args: [ftsOf(common.term, false)] }],
      innodb: [{ sql: `SELECT emp_no FROM employees.employess WHERE MATCH(bio) AGAINST(?) AND gender = 'M' ORDER BY hire_date DESC LIMIT 10`, args: [common.term] }],
      sphinx: [`SELECT id FROM emp WHERE MATCH('@bio "${sq(common.term)}"') AND gender_attr = 'M' ORDER BY hire_date DESC LIMIT 10`],
    }),
    q(`common + facet.field=gender`, common.term, {
      solr: { q: `bio:${common.term}`, facet: 'true', 'facet.field': 'gender', rows: '10' },
      fts: [top(ftsOf(common.term, false)), { sql: `SELECT d.${d('gender')} AS g, COUNT(*) AS n FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? GROUP BY 1`, args: [ftsOf(common.term, false)] }],
      innodb: [innoTop(common.term), { sql: 'SELECT gender, COUNT(*) FROM employees.employess WHERE MATCH(bio) AGAINST(?) GROUP BY gender', args: [common.term] }],
      sphinx: [sphinxTop(common.term, 'LIMIT 10'), `SELECT gender_attr, COUNT(*) FROM emp WHERE MATCH('@bio "${sq(common.term)}"') GROUP BY gender_attr`],
    }),
    q(`very common, start=10000`, veryCommon.term, {
      solr: { q: `bio:${veryCommon.term}`, start: '10000', rows: '10' },
      fts: [top(ftsOf(veryCommon.term, false), 10000)],
      innodb: [innoTop(veryCommon.term, 10000)],
      sphinx: [sphinxTop(veryCommon.term, 'LIMIT 10000, 10 OPTION max_matches=10010')],
    }),
    q(`exact first_name:${firstName}`, firstName, {
      solr: { q: `first_name:${firstName}`, rows: '10' },
      fts: [{ sql: `SELECT rid FROM docs WHERE ${d('first_name')} = ? LIMIT 10`, args: [firstName] }],
      innodb: [{ sql: 'SELECT emp_no FROM employees.employess WHERE first_name = ? LIMIT 10', args: [firstName] }],
      sphinx: [`SELECT id FROM emp WHERE MATCH('@first_name "^${sq(firstName)}$"') LIMIT 10`],
    }),
  ];
}
