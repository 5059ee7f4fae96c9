// CPU time by thread role: which of the server's threads the cores go to (the main thread, the channel workers,
// a channel's writer, the searchers, ...), for the metrics and the benchmarks. Linux only: each worker thread
// names its kernel thread id as it starts (sibling-worker.ts), and its time is read from
// /proc/self/task/<tid>/schedstat (nanoseconds on a CPU). Elsewhere, or where /proc cannot be read, only the
// process total is known and everything counts as `other`.
import { readFileSync, readlinkSync } from 'node:fs';

/** The main thread's role; `other` is the rest of the process (V8's GC and compiler helpers, libuv's pool). */
export const MAIN_THREAD = 'main';
export const OTHER_THREADS = 'other';

/** The message a worker's bootstrap sends first: its kernel thread id. */
export interface ThreadIdMessage {
  readonly threadTid: number;
}

export function isThreadIdMessage(m: unknown): m is ThreadIdMessage {
  return typeof m === 'object' && m !== null && typeof (m as ThreadIdMessage).threadTid === 'number';
}

/** The calling thread's kernel thread id, or undefined where /proc/thread-self does not exist. */
function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds the thread has run on a CPU, or undefined once it is gone (or without /proc). */
function threadCpuSeconds(tid: number): number | undefined {
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]);
    return Number.isFinite(ns) ? ns / 1e9 : undefined;
  } catch {
    return undefined;
  }
}

interface Tracked {
  readonly role: string;
  /** The last reading: what the thread is known to have used when it is gone. */
  seconds: number;
}

const live = new Map<number, Tracked>();
/** Per role, the time of its threads that are gone, as last read. */
const retired = new Map<string, number>();
const mainTid = ownThreadId();

/** Counts thread `tid` under `role` from now on (until threadGone). */
export function trackThread(tid: number, role: string): void {
  live.set(tid, { role, seconds: threadCpuSeconds(tid) ?? 0 });
}

/** The thread ended: its last reading stays with its role, what it used after that counts as `other`. */
export function threadGone(tid: number): void {
  const t = live.get(tid);
  if (!t) return;
  live.delete(tid);
  retired.set(t.role, (retired.get(t.role) ?? 0) + t.seconds);
}

/**
 * CPU seconds by role since the process started: main, each tracked role (live threads and those gone), and
 * `other` (the process total, from getrusage, minus the rest). Every value only grows.
 */
export function cpuSecondsByRole(): Map<string, number> {
  const out = new Map<string, number>(retired);
  const add = (role: string, s: number) => out.set(role, (out.get(role) ?? 0) + s);
  for (const [tid, t] of live) {
    const s = threadCpuSeconds(tid);
    if (s === undefined) {
      threadGone(tid);
      add(t.role, t.seconds);
      continue;
    }
    t.seconds = Math.max(t.seconds, s);
    add(t.role, t.seconds);
  }
  const main = mainTid === undefined ? undefined : threadCpuSeconds(mainTid);
  if (main !== undefined) add(MAIN_THREAD, main);
  const u = process.cpuUsage();
  const total = (u.user + u.system) / 1e6;
  let known = 0;
  for (const s of out.values()) known += s;
  add(OTHER_THREADS, Math.max(0, total - known));
  return out;
}
