// pysolr (the real Python client) against the Solr API over a generation built from a MariaDB table; every
// answer is checked against SQL on that table. The generation is built directly here (builder + real
// analyzers); `startSearchTarget` is the one piece to swap for the full app (do_create on the same table).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { solrRoutes } from '../../src/api/solr/index.js';
import { createSearchPool } from '../../src/engine/search/index.js';
import { createAnalyzers } from '../../src/engine/analysis/registry.js';
import { GenerationBuilder } from '../../src/engine/store/builder.js';
import type { FieldSpec, IndexSpec } from '../../src/core/schema.js';
import { valueFromText, type RowImage } from '../../src/core/value.js';

const ROWS = 600;
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'theta', 'kappa', 'lambda', 'sigma', 'omega', 'river', 'stone', 'cloud'];

// A seeded generator so every run sees the same table.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function seedRows(): unknown[][] {
  const r = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const names = ['Anna', 'Bert', 'Chen', 'Dana', 'Emil', 'Fang', 'Gus', 'Hana'];
  const rows: unknown[][] = [];
  for (let i = 1; i <= ROWS; i++) {
    const n = 3 + Math.floor(r() * 12);
    const bio = r() < 0.08 ? null : Array.from({ length: n }, () => (r() < 0.1 ? pick(WORDS).toUpperCase() : pick(WORDS))).join(r() < 0.5 ? ' ' : ', ');
    const day = new Date(Date.UTC(1985, 0, 1) + Math.floor(r() * 12000) * 86400000).toISOString().slice(0, 10);
    const salary = r() < 0.1 ? null : (40000 + Math.floor(r() * 6000000) / 100).toFixed(2);
    const last = pick(WORDS);
    rows.push([10000 + i * 7, pick(names), r() < 0.3 ? last[0]!.toUpperCase() + last.slice(1) : `${last}son`, r() < 0.5 ? 'M' : 'F', day, salary, bio]);
  }
  return rows;
}

const field = (name: string, kind: FieldSpec['kind'], token: FieldSpec['token'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token, search: true, isKey });
const spec: IndexSpec = {
  name: 'employees',
  db: 'e2e',
  table: 'employees',
  key: ['emp_no'],
  fields: [
    field('emp_no', 'integer', 'string', true),
    field('first_name', 'string', 'string'),
    field('last_name', 'string', 'standard'),
    field('gender', 'string', 'string'),
    field('hire_date', 'datetime', 'string'),
    field('salary', 'decimal', 'string'),
    field('bio', 'string', 'standard'),
  ],
};

interface SearchTarget {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Builds a generation from the table and serves it through solrRoutes (the full app replaces this). */
async function startSearchTarget(db: MariaDb): Promise<SearchTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-e2e-'));
  const file = join(dir, 'gen-1.sqlite');
  const analyzers = createAnalyzers();
  const raw = await db.query<Record<string, string | null>[]>('SELECT emp_no, first_name, last_name, gender, CAST(hire_date AS CHAR) AS hire_date, CAST(salary AS CHAR) AS salary, bio FROM employees');
  const rows: RowImage[] = raw.map((r) => Object.fromEntries(spec.fields.map((f) => [f.name, valueFromText(f.kind, r[f.name] === null ? null : String(r[f.name]))])));
  const b = new GenerationBuilder(file, spec);
  b.setSnapshot(1n);
  const batch = b.insertDocs(rows, 1n);
  const tokens = b.ftsTokens;
  b.insertTokens(batch.rids, batch.texts.map((t, i) => (t === null ? '' : analyzers.get(tokens[i % tokens.length]!).analyze(t, 'index').join(' '))));
  b.seal();
  b.close();
  // Served as the server serves it: searches on the pool's threads.
  const pool = createSearchPool();
  const searcher = pool.open(file, spec);
  const app = Fastify();
  await app.register(solrRoutes, { resolve: (name) => (name === spec.name ? { spec, searcher } : undefined), list: () => [spec.name] });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    baseUrl: `${address}/solr/${spec.name}`,
    async close() {
      await app.close();
      searcher.close();
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface PyResult {
  readonly hits: number;
  readonly docs: Record<string, unknown>[];
  readonly facets?: { facet_fields: Record<string, (string | number)[]>; facet_queries: Record<string, number> };
  readonly highlighting?: Record<string, Record<string, string[]>>;
  readonly pages?: number;
  readonly error?: string;
}

function pysolr(baseUrl: string, requests: readonly object[]): Promise<Record<string, PyResult> & { ping: boolean }> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [join(import.meta.dirname, 'pysolr_client.py'), baseUrl], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(requests));
  });
}

let db: MariaDb;
let target: SearchTarget;
let results: Record<string, PyResult> & { ping: boolean };

// MariaDB's REGEXP is case-insensitive under the table's collation; \b matches the analyzer's word breaks here.
const word = (w: string) => `bio REGEXP '\\\\b${w}\\\\b'`;
const keys = async (sql: string) => (await db.query<{ emp_no: number }[]>(sql)).map((r) => r.emp_no);

before(async () => {
  db = await startMariaDb({ database: 'e2e' });
  await db.exec(`CREATE TABLE employees (emp_no INT PRIMARY KEY, first_name VARCHAR(14), last_name VARCHAR(16), gender ENUM('M','F'), hire_date DATE, salary DECIMAL(10,2) NULL, bio TEXT NULL)`);
  await db.query('INSERT INTO employees VALUES ?', [seedRows()]);
  target = await startSearchTarget(db);
  results = await pysolr(target.baseUrl, [
    { name: 'term_fq', q: 'bio:gamma', params: { fq: ['gender:F'], sort: 'emp_no asc', rows: 1000, fl: 'emp_no' } },
    { name: 'and_not', q: 'gamma AND delta -omega', params: { df: 'bio', rows: 1000, fl: 'emp_no,score', sort: 'score desc, emp_no asc' } },
    { name: 'range_sort', q: '*:*', params: { fq: 'salary:[50000 TO 80000}', sort: 'salary desc, emp_no asc', rows: 1000, fl: 'emp_no,salary' } },
    { name: 'date_prefix', q: 'hire_date:[1995-01-01T00:00:00Z TO *] AND first_name:Ch*', params: { rows: 1000, fl: 'emp_no' } },
    { name: 'facets', q: 'bio:sigma', params: { rows: 0, facet: 'true', 'facet.field': ['gender', 'first_name'], 'facet.mincount': 1, 'facet.query': 'salary:[* TO 60000]' } },
    { name: 'highlight', q: 'bio:kappa', params: { rows: 20, fl: 'emp_no', hl: 'true', 'hl.fl': 'bio', 'hl.fragsize': 0 } },
    { name: 'edismax', q: 'river stone', params: { defType: 'edismax', qf: 'bio^2 last_name', 'q.op': 'AND', rows: 1000, fl: 'emp_no' } },
    { name: 'cursor', q: '*:*', cursor: true, params: { sort: 'hire_date asc, emp_no asc', rows: 37, fl: 'emp_no' } },
    { name: 'cursor_score', q: 'alpha OR cloud', cursor: true, params: { df: 'bio', sort: 'score desc, emp_no asc', rows: 25, fl: 'emp_no,score' } },
    { name: 'bad', q: 'bio:(gamma', params: {} },
  ]);
});

after(async () => {
  await target?.close();
  await db?.stop();
});

test('ping answers OK', () => {
  assert.equal(results.ping, true);
});

test('term with a filter query, sorted by key: same rows as SQL', async () => {
  const expected = await keys(`SELECT emp_no FROM employees WHERE ${word('gamma')} AND gender = 'F' ORDER BY emp_no`);
  assert.ok(expected.length > 10);
  assert.equal(results['term_fq']!.hits, expected.length);
  assert.deepEqual(results['term_fq']!.docs.map((d) => d['emp_no']), expected);
});

test('AND / NOT with df: same set as SQL, ranked by score', async () => {
  const expected = await keys(`SELECT emp_no FROM employees WHERE ${word('gamma')} AND ${word('delta')} AND NOT ${word('omega')} ORDER BY emp_no`);
  const r = results['and_not']!;
  assert.equal(r.hits, expected.length);
  assert.deepEqual(r.docs.map((d) => d['emp_no']).sort((a, b) => Number(a) - Number(b)), expected);
  const scores = r.docs.map((d) => d['score'] as number);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

test('decimal range filter sorted by salary desc: same order as SQL', async () => {
  const rows = await db.query<{ emp_no: number; salary: string }[]>('SELECT emp_no, salary FROM employees WHERE salary >= 50000 AND salary < 80000 ORDER BY salary DESC, emp_no ASC');
  assert.deepEqual(
    results['range_sort']!.docs.map((d) => [d['emp_no'], d['salary']]),
    rows.map((r) => [r.emp_no, r.salary]),
  );
});

test('date range and prefix on an exact field', async () => {
  const expected = await keys("SELECT emp_no FROM employees WHERE hire_date >= '1995-01-01' AND first_name LIKE BINARY 'Ch%' ORDER BY emp_no");
  assert.deepEqual(results['date_prefix']!.docs.map((d) => d['emp_no']).sort((a, b) => Number(a) - Number(b)), expected);
});

test('facet counts equal GROUP BY counts', async () => {
  const f = results['facets']!.facets!;
  for (const col of ['gender', 'first_name']) {
    const rows = await db.query<{ v: string; c: number }[]>(`SELECT ${col} AS v, COUNT(*) AS c FROM employees WHERE ${word('sigma')} GROUP BY ${col} ORDER BY c DESC, v ASC`);
    const flat = rows.flatMap((r) => [r.v, Number(r.c)]);
    assert.deepEqual(f.facet_fields[col], flat, col);
  }
  const [q] = await db.query<{ c: number }[]>(`SELECT COUNT(*) AS c FROM employees WHERE ${word('sigma')} AND salary <= 60000`);
  assert.deepEqual(f.facet_queries, { 'salary:[* TO 60000]': Number(q!.c) });
});

test('highlighting marks the query word in every returned document', () => {
  const r = results['highlight']!;
  assert.equal(r.docs.length, 20);
  for (const d of r.docs) {
    const snippet = r.highlighting![String(d['emp_no'])]!['bio']![0]!;
    assert.match(snippet, /<em>kappa<\/em>/i);
    assert.doesNotMatch(snippet.replace(/<em>kappa<\/em>/gi, ''), /\bkappa\b/i);
  }
});

test('edismax with qf and q.op=AND: rows with both words in bio or last_name', async () => {
  const either = (w: string) => `(${word(w)} OR last_name = '${w}')`;
  const expected = await keys(`SELECT emp_no FROM employees WHERE ${either('river')} AND ${either('stone')} ORDER BY emp_no`);
  const viaName = await keys(`SELECT emp_no FROM employees WHERE last_name IN ('River', 'Stone') AND (${either('river')} AND ${either('stone')})`);
  assert.ok(expected.length > 5 && viaName.length > 0);
  assert.deepEqual(results['edismax']!.docs.map((d) => d['emp_no']).sort((a, b) => Number(a) - Number(b)), expected);
});

test('cursorMark paging returns every row once, in SQL order', async () => {
  const expected = await keys('SELECT emp_no FROM employees ORDER BY hire_date ASC, emp_no ASC');
  const r = results['cursor']!;
  assert.equal(r.hits, ROWS);
  assert.equal(r.pages, Math.ceil(ROWS / 37) + 1);
  assert.deepEqual(r.docs.map((d) => d['emp_no']), expected);
  const scored = results['cursor_score']!;
  const hits = await keys(`SELECT emp_no FROM employees WHERE ${word('alpha')} OR ${word('cloud')} ORDER BY emp_no`);
  assert.deepEqual(scored.docs.map((d) => d['emp_no']).sort((a, b) => Number(a) - Number(b)), hits);
  const scores = scored.docs.map((d) => d['score'] as number);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

test('a query that cannot be parsed raises SolrError with the position', () => {
  assert.match(results['bad']!.error ?? '', /Cannot parse 'bio:\(gamma'.*position 11/);
});
