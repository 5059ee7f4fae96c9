// Go durations as TiDB shows tidb_gc_life_time, and how long a dump needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, parseGoDuration, requiredGcLifeTimeMs } from '../../../../src/source/tidb/gc-life-time.js';

test('parses the Go durations TiDB prints and accepts', () => {
  assert.equal(parseGoDuration('10m0s'), 600_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('720h'), 2_592_000_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.throws(() => parseGoDuration('10 minutes'), /not a Go duration/);
  assert.throws(() => parseGoDuration("10m'; DROP"), /not a Go duration/);
});

test('formats whole minutes, rounding up', () => {
  assert.equal(formatGoDuration(600_000), '10m');
  assert.equal(formatGoDuration(600_001), '11m');
  assert.equal(formatGoDuration(7_500_000), '2h5m');
  assert.equal(formatGoDuration(7_200_000), '2h');
});

test('needs twice the expected dump time, never less than 10 minutes', () => {
  assert.equal(requiredGcLifeTimeMs(1000, 20_000), 600_000);
  assert.equal(requiredGcLifeTimeMs(72_000_000, 20_000), 7_200_000);
});
