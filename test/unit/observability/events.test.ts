// The event bus delivers typed payloads and never lets a listener's failure reach the emitter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventBus, type TidesearchEventName } from '../../../src/observability/events.js';

test('listeners receive payloads and can unsubscribe', () => {
  const bus = createEventBus();
  const seen: number[] = [];
  const off = bus.on('query', (q) => seen.push(q.hits));
  bus.emit('query', { index: 'a', ms: 1, hits: 3 });
  off();
  bus.emit('query', { index: 'a', ms: 1, hits: 4 });
  assert.deepEqual(seen, [3]);
  assert.equal(bus.listenerCount('query'), 0);
});

test('a throwing listener is reported and the next listener still runs', () => {
  const failures: Array<[TidesearchEventName, string]> = [];
  const bus = createEventBus((name, err) => failures.push([name, (err as Error).message]));
  let reached = false;
  bus.on('build.finished', () => {
    throw new Error('boom');
  });
  bus.on('build.finished', () => {
    reached = true;
  });
  assert.doesNotThrow(() => bus.emit('build.finished', { index: 'a', taskId: 1, ok: true, docs: 1, durationMs: 5 }));
  assert.equal(reached, true);
  assert.deepEqual(failures, [['build.finished', 'boom']]);
});

test('a throwing error sink does not escape either', () => {
  const bus = createEventBus(() => {
    throw new Error('sink broken');
  });
  bus.on('query', () => {
    throw new Error('boom');
  });
  assert.doesNotThrow(() => bus.emit('query', { index: 'a', ms: 1, hits: 0 }));
});
