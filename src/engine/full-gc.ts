// A full garbage collection on demand, for the threads of a bulk build: their dead rows and tokens are
// promoted to V8's old generation, which V8 collects rarely, so between collections the heap (and the
// process's RSS) grows with the table. gc() is not exposed by a flag here (worker threads refuse V8 flags in
// execArgv): it is enabled at run time and taken from a fresh context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
