// Analyzer throughput on the benchmark table's `bio` text (~205 bytes of mixed Chinese/English, BENCHMARKS.md):
// ik index mode in one thread and through the worker pool, like, pinyin. Prints a table; asserts nothing.
// Run: node --import tsx bench/analysis.bench.ts [rows]
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { TokenName } from '../src/core/schema.js';
import { createAnalysisPool, createAnalyzers } from '../src/engine/analysis/index.js';
import { employeeRows } from '../test/support/employees-data.js';

const rows = Number(process.argv[2] ?? 20_000);
const generated = employeeRows(0, rows);
const bios = generated.map((r) => r.bio).filter((b): b is string => b !== null);
const names = generated.map((r) => r.last_name + r.first_name);
const bytesOf = (texts: readonly string[]): number => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

interface Row {
  readonly what: string;
  readonly mbps: number;
  readonly rowsPerSec: number;
  readonly tokensPerRow: number;
}
const table: Row[] = [];

function single(name: TokenName, texts: readonly string[], label: string): void {
  const analyzer = createAnalyzers().get(name);
  for (const t of texts.slice(0, 500)) analyzer.analyze(t, 'index'); // warm-up
  let tokens = 0;
  const start = performance.now();
  for (const t of texts) tokens += analyzer.analyze(t, 'index').length;
  const s = (performance.now() - start) / 1000;
  table.push({ what: label, mbps: bytesOf(texts) / 1e6 / s, rowsPerSec: texts.length / s, tokensPerRow: tokens / texts.length });
}

async function pooled(size: number, texts: readonly string[]): Promise<void> {
  const pool = createAnalysisPool({ size });
  try {
    await pool.analyze({ tokens: ['ik'], texts: texts.slice(0, 200) }); // workers loaded
    const batch = 500;
    const start = performance.now();
    const jobs: Promise<string[]>[] = [];
    for (let i = 0; i < texts.length; i += batch) jobs.push(pool.analyze({ tokens: ['ik'], texts: texts.slice(i, i + batch) }));
    const out = await Promise.all(jobs);
    const s = (performance.now() - start) / 1000;
    const tokens = out.flat().reduce((n, j) => n + (j === '' ? 0 : j.split(' ').length), 0);
    table.push({ what: `ik index, pool of ${size} workers (batches of ${batch})`, mbps: bytesOf(texts) / 1e6 / s, rowsPerSec: texts.length / s, tokensPerRow: tokens / texts.length });
  } finally {
    await pool.close();
  }
}

// Reference: bare jieba cutForSearch on the same text (BENCHMARKS.md measured 9.2 MB/s on a quiet machine),
// so a run on a busy machine can still be read as a ratio.
function rawJieba(texts: readonly string[]): void {
  const jieba = Jieba.withDict(dict);
  let tokens = 0;
  const start = performance.now();
  for (const t of texts) tokens += jieba.cutForSearch(t, true).length;
  const s = (performance.now() - start) / 1000;
  table.push({ what: 'reference: bare jieba cutForSearch, 1 thread', mbps: bytesOf(texts) / 1e6 / s, rowsPerSec: texts.length / s, tokensPerRow: tokens / texts.length });
}

console.log(`${bios.length} bio texts, mean ${(bytesOf(bios) / bios.length).toFixed(0)} bytes; ${names.length} names`);
rawJieba(bios);
single('ik', bios, 'ik index, 1 thread');
await pooled(2, bios);
single('like', bios, 'like index, 1 thread');
single('pinyin', bios, 'pinyin index (bio), 1 thread');
single('pinyin', names, 'pinyin index (names), 1 thread');
single('standard', bios, 'standard index, 1 thread');
console.log(`load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores`);
console.log('| analyzer | MB/s | rows/s | tokens/row |\n|---|---|---|---|');
for (const r of table) console.log(`| ${r.what} | ${r.mbps.toFixed(2)} | ${Math.round(r.rowsPerSec)} | ${r.tokensPerRow.toFixed(1)} |`);
