// When a bulk-work thread (an analysis or channel worker, and the main thread while it dumps a table) runs a
// full garbage collection: after a job that left its old generation `headroom` bytes fuller than the last full
// collection did.
//
// Such a thread allocates a batch's rows and tokens, most of them dead by the end of the job. Some outlive a
// young-generation collection and are promoted, and V8 lets the old generation grow to hundreds of MiB
// between its own full collections: the server's RSS grew with the table. So the thread collects itself.
// What it measures matters (1M-row build, bench:build):
// - A ceiling on the heap's total size (the earlier rule) also counted the young generation's reserved
//   semi-spaces (~35 MiB in an analysis thread whose live set is ~7 MiB), so it was exceeded after every job:
//   a full collection (5-10 ms) after every 500-row batch, more than twice the cost of the analysis alone.
// - The old generation's growth, with 8 MiB of headroom, collects every few jobs instead.
// - The young generation must then be capped by the thread's creator (worker-group.ts): left alone, V8 grows
//   it to 16 MiB semi-spaces once full collections stop shrinking it, +30 MiB of RSS per thread.
// Measured together (8 MiB headroom, young generation 12 MiB; compiled server, 1M rows): 28.6-31.1k rows/s and
// 347-352 MiB peak RSS, against 25.4-27.6k rows/s and 393-397 MiB for a collection after every job. 16 MiB of
// headroom or a 24 MiB young generation gained nothing measurable and cost 7-23 MiB.
import { getHeapSpaceStatistics } from 'node:v8';
import { collectGarbage } from './full-gc.js';

/** The young generation a bulk-work thread is given (Worker resourceLimits.maxYoungGenerationSizeMb). */
export const BULK_YOUNG_GENERATION_MB = 12;
/** Old-generation growth that triggers a full collection in a bulk-work thread. */
export const BULK_HEADROOM_BYTES = 8 * 1024 * 1024;

export interface HeapGuard {
  /** Call after each job: collects when the old generation grew by more than the headroom since the last collection. */
  afterJob(): void;
  /** Full collections it ran so far. */
  readonly collections: number;
}

/** Bytes used in the old generation (every space but the young generation's, which scavenges empty). */
export function oldGenerationUsed(): number {
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') n += s.space_used_size;
  return n;
}

export function heapGuard(headroomBytes: number = BULK_HEADROOM_BYTES): HeapGuard {
  let live = oldGenerationUsed();
  let collections = 0;
  return {
    afterJob(): void {
      if (oldGenerationUsed() - live <= headroomBytes) return;
      collectGarbage();
      collections++;
      live = oldGenerationUsed();
    },
    get collections() {
      return collections;
    },
  };
}
