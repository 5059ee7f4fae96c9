// Tidesearch as the benchmarks drive it: a `tidesearch serve` child process (so its peak RSS is its own,
// not the benchmark's), the employees index definition, and one timed full build through the admin API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from '../test/e2e/helpers/server.js';
import type { MariaDb } from '../test/support/index.js';
import { peakRssMiB, sampler, rssMiB } from './common.js';

export const EMPLOYEE_INDEX_COLUMNS = [
  { name: 'emp_no', token: 'string', search: true },
  { name: 'first_name', token: 'string', search: true },
  { name: 'last_name', token: 'standard', search: true },
  { name: 'gender', token: 'string', search: true },
  { name: 'birth_date', search: true },
  { name: 'hire_date', search: true },
  { name: 'salary', search: true },
  { name: 'bio', token: 'ik', search: true },
] as const;

export function createBody(db: MariaDb, indexName: string, extra: Record<string, unknown> = {}) {
  return {
    datasource: { plugin: 'MySQL', host: db.host, port: db.port, user: 'root', password: '', dbName: 'employees' },
    table: 'employess',
    indexName,
    columns: EMPLOYEE_INDEX_COLUMNS,
    ...extra,
  };
}

let compiled = false;

/**
 * The server runs compiled, as in production (`npm run build`, then `node bin/tidesearch.js serve`): under tsx
 * every analysis worker also starts a module-hooks thread, ~100 MiB more at peak. Compiled once per run;
 * BENCH_TSX=1 runs the sources through tsx instead.
 */
function compileOnce(): void {
  if (compiled || process.env.BENCH_TSX === '1') return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' });
  // tsc still emits JavaScript when it reports type errors (noEmitOnError is off): say so, and go on.
  if (r.status !== 0) console.log('WARNING: tsc reported errors (above); the benchmark runs what it emitted');
  process.env.TIDESEARCH_SERVER_ENTRY = 'dist';
  compiled = true;
}

/**
 * A module of the server's code (path under src/, with its .js name) as the server runs it: compiled from dist/
 * once startTidesearch has compiled it, else the source through tsx.
 */
export async function serverModule<T>(path: string): Promise<T> {
  const root = process.env.TIDESEARCH_SERVER_ENTRY === 'dist' ? '../dist/src/' : '../src/';
  return (await import(new URL(root + path, import.meta.url).href)) as T;
}

export async function startTidesearch(dataDir?: string): Promise<ChildServer & { dataDir: string }> {
  compileOnce();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'tidesearch-bench-'));
  const srv = await startChildServer(dir, { TIDESEARCH_LOG_LEVEL: 'warn' });
  return Object.assign(srv, { dataDir: dir });
}

export interface BuildResult {
  readonly seconds: number;
  readonly rows: number;
  /** Peak RSS of the server process over its life (VmHWM), MiB. */
  readonly peakRssMiB: number | null;
  /** Highest RSS sampled every 100 ms during this build, MiB. */
  readonly sampledPeakMiB: number;
  readonly stages: readonly { stage: string; seconds: number | null; rows: number }[];
  readonly logs: string;
  /** Seconds from the build's completion (the generation live) until its top-K lists were all ranked (they
   *  are ranked in the background after the swap), and how many. RSS sampling covers this too. */
  readonly topkSeconds: number;
  readonly topkLists: number;
  /** The longest wait for an answer to do_get_task_status (polled every 100 ms) during the build, ms: how long
   *  the server left requests unanswered at a stretch. */
  readonly statusMaxMs: number;
}

/** do_create, then polls do_get_task_status until the build completes (and the index status until its top-K
 *  lists are ranked); throws if it fails. */
export async function timedBuild(srv: ChildServer, body: unknown): Promise<BuildResult> {
  const pid = srv.child.pid!;
  const rss = sampler(() => rssMiB(pid), 100);
  const started = performance.now();
  const r = await srv.admin('do_create', body);
  if (!r.success) throw new Error(`do_create: ${r.errormsg.join('; ')}`);
  // Polls are sent 100 ms after the previous answer: the gap between two answers, less 100 ms, is how long the
  // second one waited.
  let lastPoll = performance.now();
  let statusMaxMs = 0;
  const final = await srv.waitForTask(r.bizresult.taskid, 3_600_000, () => {
    const now = performance.now();
    statusMaxMs = Math.max(statusMaxMs, now - lastPoll - 100);
    lastPoll = now;
  });
  const seconds = (performance.now() - started) / 1000;
  const indexName = (body as { indexName: string }).indexName;
  let topk = { ranked: 0, pending: 0 };
  for (;;) {
    const st = await srv.admin('do_get_index_status', { indexName });
    topk = st.bizresult?.topk ?? topk;
    if (final.faild || topk.pending === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const topkSeconds = (performance.now() - started) / 1000 - seconds;
  const sampledPeakMiB = rss.stop();
  if (final.faild) throw new Error(`build failed: ${final.errs}`);
  const progress = (final.progress ?? {}) as Record<string, { rowsDone: number; rowsTotal: number; startedAt?: number; finishedAt?: number }>;
  const stages = Object.entries(progress).map(([stage, p]) => ({
    stage,
    seconds: p.startedAt !== undefined && p.finishedAt !== undefined ? (p.finishedAt - p.startedAt) / 1000 : null,
    rows: p.rowsDone,
  }));
  return { seconds, rows: progress.dump?.rowsDone ?? 0, peakRssMiB: peakRssMiB(pid), sampledPeakMiB, stages, logs: String(final.logs ?? ''), topkSeconds, topkLists: topk.ranked, statusMaxMs };
}

/** The server's CPU seconds by thread role (tidesearch_thread_cpu_seconds_total, read from /metrics). */
export async function threadCpu(srv: ChildServer): Promise<Map<string, number>> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^tidesearch_thread_cpu_seconds_total\{thread="([^"]+)"\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** CPU µs per event by role between two threadCpu readings, and their total ('total'), largest first. */
export function cpuPerEvent(from: Map<string, number>, to: Map<string, number>, events: number): [string, number][] {
  const rows = [...to].map(([role, s]): [string, number] => [role, ((s - (from.get(role) ?? 0)) * 1e6) / events]).filter(([, us]) => us >= 0.05);
  rows.sort((a, b) => b[1] - a[1]);
  return [...rows, ['total', rows.reduce((a, [, us]) => a + us, 0)]];
}
