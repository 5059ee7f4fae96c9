// Top-K benchmark: on copies of one generation file, the cost of building the stored top-K of frequent
// terms (store/topk-table.ts) and the uncached p50/p99 of one-term queries without it, with it, and with it
// after a batch of writer changes (the verified path with touched rids). In-process, prints a table.
// Run: node --import tsx bench/topk.bench.ts [--file /tmp/qbench/gen-1000000.sqlite] [--runs 30] [--min-docs 10000] [--k 1000]
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { IndexSpec } from '../src/core/schema.js';
import type { AnalyzerRegistry } from '../src/engine/analysis/analyzer.js';
import { createSearcher } from '../src/engine/search/index.js';
import { buildTopK } from '../src/engine/store/topk-table.js';
import { GenerationWriter, type DocOp } from '../src/engine/store/writer.js';
import { layoutOf } from '../src/engine/store/layout.js';
import { fmt, parseFlags, printMachine } from './common.js';

const flags = parseFlags();
const source = flags.str('file') ?? '/tmp/qbench/gen-1000000.sqlite';
const RUNS = flags.num('runs', 30);
printMachine(`bench:topk, ${source}`);

// Pre-split ASCII tokens (the bench corpus): lower-cased words.
const analyzers: AnalyzerRegistry = {
  get: (name) => {
    const analyze = (t: string) => t.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    return { name, queryJoin: 'phrase', analyze, indexText: (t: string) => analyze(t).join(' ') };
  },
};

const dir = mkdtempSync(join(tmpdir(), 'tidesearch-topk-bench-'));
try {
  const before = join(dir, 'before.sqlite');
  const after = join(dir, 'after.sqlite');
  // The source is only read: its WAL (if any) is copied beside it.
  copyFileSync(source, before);
  if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${before}-wal`);
  const b = new Database(before);
  b.exec('DROP TABLE IF EXISTS topk; DROP TABLE IF EXISTS topk_terms; DROP TABLE IF EXISTS touched');
  const spec = JSON.parse(b.prepare("SELECT value FROM meta WHERE key = 'spec'").pluck().get() as string) as IndexSpec;
  b.prepare("DELETE FROM meta WHERE key = 'topk'").run();
  b.pragma('wal_checkpoint(TRUNCATE)');
  b.close();
  copyFileSync(before, after);

  // The top-K step of a one-thread seal (GenerationBuilder.seal: plan, rank, store), durability off as while building.
  const a = new Database(after);
  a.pragma('journal_mode = OFF');
  a.pragma('synchronous = OFF');
  const stats = buildTopK(a, spec, { minDocs: flags.num('min-docs', 10_000), k: flags.num('k', 1000) });
  const rows = a.prepare('SELECT count(*) FROM topk').pluck().get() as number;
  // The file may reuse free pages; the tables' own pages say what the top-K costs on disk.
  let tableMiB = NaN;
  try {
    tableMiB = (a.prepare("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'topk%' OR name LIKE 'touched%'").pluck().get() as number) / 2 ** 20;
  } catch {
    // dbstat not compiled in
  }
  a.pragma('journal_mode = WAL');
  a.close();
  const size = (f: string) => statSync(f).size / 2 ** 20;
  console.log(`\ntop-K build: ${fmt(stats.entries)} (scope, term) entries, ${fmt(rows)} rows, ${(stats.ms / 1000).toFixed(1)} s (${stats.unverified} left out); tables ${tableMiB.toFixed(1)} MiB; file ${size(before).toFixed(0)} → ${size(after).toFixed(0)} MiB`);

  const field = layoutOf(spec).find((l) => l.ftsColumn !== null)!;
  const vocab = new Database(after, { readonly: true });
  const terms = vocab.prepare('SELECT term, hits FROM topk_terms WHERE cols = ? ORDER BY hits DESC').raw(true).all(field.ftsColumn) as [string, number][];
  vocab.close();
  const picks = [0, 5, 50, Math.floor(terms.length / 2), terms.length - 1].filter((i, n, all) => i >= 0 && i < terms.length && all.indexOf(i) === n).map((i) => terms[i]!);

  const time = (file: string, q: string): string => {
    const s = createSearcher(file, spec, analyzers, { resultCacheSize: 0 });
    try {
      s.search({ q, rows: 10 });
      const t: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        s.search({ q, rows: 10, fl: `${field.field.name},score` });
        t.push(performance.now() - t0);
      }
      t.sort((x, y) => x - y);
      return `${t[Math.floor(RUNS / 2)]!.toFixed(1)} / ${t[Math.min(RUNS - 1, Math.ceil(RUNS * 0.99) - 1)]!.toFixed(1)}`;
    } finally {
      s.close();
    }
  };

  const results = picks.map(([term, hits]) => ({ term, hits, q: `${field.field.name}:${term}`, before: time(before, `${field.field.name}:${term}`), after: time(after, `${field.field.name}:${term}`) }));

  // 200 writer changes: new documents carrying the top term, updates and deletes of stored top rids.
  const w = new GenerationWriter(after, spec);
  const keyCol = layoutOf(spec).find((l) => l.field.isKey)!;
  const sample = w.db.prepare(`SELECT d.doc_key, d.* FROM docs d WHERE rid IN (SELECT rid FROM topk WHERE term = ? LIMIT 100)`).all(picks[0]![0]) as Record<string, unknown>[];
  const ftsFields = layoutOf(spec).filter((l) => l.ftsColumn !== null);
  const ops: DocOp[] = [];
  for (const [i, r] of sample.entries()) {
    if (i % 2) ops.push({ kind: 'delete', key: String(r['doc_key']), version: 2n });
    else {
      const values = Object.fromEntries(layoutOf(spec).map((l) => [l.field.name, r[l.column] as never]));
      ops.push({ kind: 'upsert', key: String(r['doc_key']), version: 2n, values, tokens: ftsFields.map((l) => `${picks[0]![0]} ${String(r[l.column] ?? '')}`) });
    }
  }
  for (let i = 0; i < 100; i++) {
    const values = Object.fromEntries(layoutOf(spec).map((l) => [l.field.name, (l === keyCol ? 10_000_000 + i : l.ftsColumn ? `${picks[0]![0]} new` : null) as never]));
    ops.push({ kind: 'upsert', key: String(10_000_000 + i), version: 2n, values, tokens: ftsFields.map(() => `${picks[0]![0]} new`) });
  }
  w.apply(ops, [], () => true);
  w.close();
  const touched = results.map((r) => time(after, r.q));

  console.log(`\nOne-term queries, top 10, uncached, p50 / p99 ms over ${RUNS} runs (fl=${field.field.name},score)`);
  console.log('| query | hits | normal plan | top-K | top-K after 200 changes |');
  console.log('|---|---|---|---|---|');
  results.forEach((r, i) => console.log(`| \`${r.q}\` | ${fmt(r.hits)} | ${r.before} | ${r.after} | ${touched[i]} |`));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
