// Starts a worker thread from a module beside the caller: the .ts source under tsx, the .js file once compiled.
// On Node 20 a worker does not get tsx's hooks from `--import tsx` in execArgv (measured:
// ERR_UNKNOWN_FILE_EXTENSION), so a .ts worker starts from a one-line bootstrap that registers tsx first.
// execArgv is still passed through for other flags.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * `callerUrl` is the caller's import.meta.url; `name` the sibling module without extension; `resourceLimits`
 * as Node's Worker takes them (e.g. a bulk-work thread's young generation, see heap-guard.ts).
 */
export function spawnSiblingWorker(callerUrl: string, name: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const ext = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${name}${ext}`, callerUrl);
  const opts = { workerData, execArgv: process.execArgv, ...(resourceLimits ? { resourceLimits } : {}) };
  if (ext !== '.ts') return new Worker(url, opts);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...opts, eval: true });
}
