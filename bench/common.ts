// Shared benchmark plumbing: command-line flags, machine-load banner, latency percentiles, peak RSS of a
// child process, and plain-text tables. Benchmarks print; they never assert timings.
import { loadavg, cpus } from 'node:os';
import { readFileSync } from 'node:fs';

export interface Flags {
  num(name: string, fallback: number): number;
  str(name: string): string | undefined;
  has(name: string): boolean;
}

/** `--rows 250000`, `--rows=250000`, `--data /tmp/x`, `--skip-sphinx`. */
export function parseFlags(argv: readonly string[] = process.argv.slice(2)): Flags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) values.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) values.set(a.slice(2), argv[++i]!);
    else values.set(a.slice(2), '');
  }
  return {
    num(name, fallback) {
      const v = values.get(name);
      if (v === undefined || v === '') return fallback;
      const n = Number(v.replaceAll('_', '').replace(/k$/i, '000').replace(/m$/i, '000000'));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(v)}`);
      return Math.round(n);
    },
    str: (name) => values.get(name),
    has: (name) => values.has(name),
  };
}

/** Prints the load average; figures taken while others load the machine are only comparable as ratios. */
export function printMachine(title: string): number {
  const [l1, l5, l15] = loadavg();
  console.log(`# ${title}  —  ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} cores, load average ${l1!.toFixed(2)} / ${l5!.toFixed(2)} / ${l15!.toFixed(2)} (1/5/15 min)`);
  if (l1! > 1.5) {
    console.log(`NOTE: load ${l1!.toFixed(1)} > 1.5 — other engineers share this machine; absolute figures are depressed and noisy, compare only the ratios from this run.`);
  }
  return l1!;
}

export function loadNow(): string {
  return loadavg()[0]!.toFixed(2);
}

/** Peak resident set (VmHWM) of a live process, in MiB; null if it is gone. */
export function peakRssMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencyStats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly qps: number;
}

/**
 * Runs `fn` up to `iterations` times from `clients` concurrent loops (after `warmup` calls) and returns
 * latency percentiles (ms) and throughput.
 */
export async function measure(
  fn: () => Promise<unknown> | unknown,
  o: { iterations: number; clients: number; warmup?: number; budgetMs?: number; minIterations?: number; before?: () => void },
): Promise<LatencyStats> {
  for (let i = 0; i < (o.warmup ?? 2); i++) await fn();
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  // Stops at `iterations`, or once the time budget is spent and at least `minIterations` ran.
  const more = () => next < o.iterations && (o.budgetMs === undefined || next < (o.minIterations ?? 5) || performance.now() - started < o.budgetMs);
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      while (more()) {
        next++;
        o.before?.(); // untimed
        const t = performance.now();
        await fn();
        lat.push(performance.now() - t);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99), qps: lat.length / wall };
}

export function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function ms(n: number): string {
  if (Number.isNaN(n)) return '—';
  return n < 1 ? n.toFixed(2) : n < 10 ? n.toFixed(1) : n.toFixed(0);
}

/** A Markdown table, columns padded so it also reads well in a terminal. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

/** Polls `sample` every `everyMs` until stopped; returns the maximum seen. */
export function sampler(sample: () => number | null, everyMs = 100): { stop(): number } {
  let max = 0;
  // BENCH_TRACE_RSS=1 prints every second's sample (where a peak comes from).
  const trace = process.env.BENCH_TRACE_RSS === '1';
  const t0 = performance.now();
  let ticks = 0;
  const t = setInterval(() => {
    const v = sample();
    if (v !== null && v > max) max = v;
    if (trace && ++ticks % Math.max(1, Math.round(1000 / everyMs)) === 0) console.log(`  rss ${((performance.now() - t0) / 1000).toFixed(1)} s: ${v} MiB`);
  }, everyMs);
  return {
    stop() {
      clearInterval(t);
      const v = sample();
      if (v !== null && v > max) max = v;
      return max;
    },
  };
}

export const sleep = (msec: number) => new Promise<void>((r) => setTimeout(r, msec));
