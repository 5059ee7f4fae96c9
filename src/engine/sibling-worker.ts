// Starts a worker thread from a module beside the caller: the .ts source under tsx, the .js file once compiled.
// On Node 20 a worker does not get tsx's hooks from `--import tsx` in execArgv (measured:
// ERR_UNKNOWN_FILE_EXTENSION), so a .ts worker's bootstrap registers tsx first. execArgv is still passed
// through for other flags. Every worker starts from a one-line bootstrap that first tells the parent its kernel
// thread id (thread-cpu.ts: the metrics count its CPU time under the module's name), then imports the module.
// The parent's other listeners see that message too; they answer requests by id and pass over it.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { isThreadIdMessage, threadGone, trackThread } from '../observability/thread-cpu.js';

/**
 * `callerUrl` is the caller's import.meta.url; `name` the sibling module without extension (and the role its
 * CPU time is counted under); `resourceLimits` as Node's Worker takes them (e.g. a bulk-work thread's young
 * generation, see heap-guard.ts).
 */
export function spawnSiblingWorker(callerUrl: string, name: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const ext = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${name}${ext}`, callerUrl);
  const opts = { workerData, execArgv: process.execArgv, ...(resourceLimits ? { resourceLimits } : {}) };
  const tsx = ext === '.ts' ? `await (await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register();` : '';
  const boot = `(async () => {
    const [{ parentPort }, { readlinkSync }] = await Promise.all([import('node:worker_threads'), import('node:fs')]);
    try { parentPort.postMessage({ threadTid: Number(readlinkSync('/proc/thread-self').split('/').pop()) }); } catch {}
    ${tsx}
    await import(${JSON.stringify(url.href)});
  })().catch((e) => { process.nextTick(() => { throw e; }); });`;
  const worker = new Worker(boot, { ...opts, eval: true });
  let tid: number | undefined;
  const onFirst = (m: unknown): void => {
    if (!isThreadIdMessage(m)) return;
    worker.off('message', onFirst);
    if (Number.isSafeInteger(m.threadTid)) trackThread((tid = m.threadTid), name);
  };
  worker.on('message', onFirst);
  worker.once('exit', () => {
    if (tid !== undefined) threadGone(tid);
  });
  return worker;
}
