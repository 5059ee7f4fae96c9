// The heap guard of bulk-work threads collects when a job leaves the old generation fuller than the headroom
// allows, and not otherwise: promoted garbage is reclaimed, while live data that grows does not trigger a
// collection after every job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectGarbage } from '../../../src/engine/full-gc.js';
import { heapGuard, oldGenerationUsed } from '../../../src/engine/heap-guard.js';

const MiB = 1024 * 1024;
collectGarbage(); // exposes gc
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (o?: { type: 'minor' | 'major' }) => void;

/** ~`mib` MiB of arrays, promoted to the old generation by two young-generation collections. */
function promoted(mib: number): unknown[][] {
  const arrays = Array.from({ length: mib }, () => new Array<unknown>(MiB / 8).fill(0));
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  return arrays;
}

test('a job that leaves less than the headroom in the old generation runs no collection', () => {
  collectGarbage();
  const guard = heapGuard(16 * MiB);
  const kept = promoted(4);
  guard.afterJob();
  assert.equal(guard.collections, 0);
  assert.equal(kept.length, 4);
});

test('promoted garbage beyond the headroom is collected after the job, and the new live size is the baseline', () => {
  collectGarbage();
  const guard = heapGuard(8 * MiB);
  let garbage: unknown[][] | null = promoted(24);
  const before = oldGenerationUsed();
  garbage = null;
  guard.afterJob();
  assert.equal(guard.collections, 1);
  assert.ok(oldGenerationUsed() < before - 16 * MiB, `old generation ${oldGenerationUsed() / MiB} MiB after, ${before / MiB} before`);
  // Live data that grows by less than the headroom after that collection does not trigger another.
  const kept = promoted(4);
  guard.afterJob();
  assert.equal(guard.collections, 1);
  assert.equal(kept.length + (garbage === null ? 0 : 1), 4);
});
