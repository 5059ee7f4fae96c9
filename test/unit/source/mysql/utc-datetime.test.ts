import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { datetimeFromText } from '../../../../src/core/value.js';
import { utcIsoFast } from '../../../../src/source/mysql/utc-datetime.js';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

test('the fast path agrees with datetimeFromText wherever it answers', () => {
  const text = fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 24 }),
      mi: fc.integer({ min: 0, max: 60 }),
      s: fc.integer({ min: 0, max: 60 }),
      frac: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,6}$/)),
      shape: fc.constantFrom('date', 'datetime'),
    })
    .map(({ y, mo, d, h, mi, s, frac, shape }) =>
      shape === 'date' ? `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}` : `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}`,
    );
  fc.assert(
    fc.property(text, (t) => {
      const fast = utcIsoFast(t);
      if (fast !== undefined) assert.equal(fast, datetimeFromText(t, 0), t);
    }),
    { numRuns: 5000 },
  );
});

test('valid calendar times take the fast path; zero, invalid and odd ones do not', () => {
  assert.equal(utcIsoFast('2024-02-29'), '2024-02-29T00:00:00Z');
  assert.equal(utcIsoFast('2024-03-01 08:30:00.123456'), '2024-03-01T08:30:00.123456Z');
  assert.equal(utcIsoFast('9999-12-31 23:59:59'), '9999-12-31T23:59:59Z');
  for (const t of ['0000-00-00', '2023-02-29', '2024-04-31', '2024-01-01 24:00:00', '0999-01-01', '2024-01-01T00:00:00', '2024-01-01 00:00:00.', '2024-1-01'])
    assert.equal(utcIsoFast(t), undefined, t);
});
