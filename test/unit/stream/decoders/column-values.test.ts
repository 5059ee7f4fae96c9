// The decoders' fast date/time conversion gives exactly what the general conversion gives, for the texts
// TiCDC prints and for the odd ones (zero dates, overflowing fields, other shapes), in any UTC offset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { datetimeFromText } from '../../../../src/core/value.js';
import { DatetimeCache, datetimeFromProtocolText } from '../../../../src/stream/decoders/column-values.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const offset = fc.constantFrom(0, 480, -300, 345, -720, 840);

test('datetimeFromProtocolText equals datetimeFromText on well-formed and odd texts', () => {
  const text = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    fc
      .tuple(fc.integer({ min: 999, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }), fc.option(fc.stringMatching(/^\.\d{1,9}$/), { nil: undefined }), fc.constantFrom(' ', 'T'))
      .map(([y, mo, d, h, mi, s, frac, sep]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac ?? ''}`),
    fc.constantFrom('0000-00-00', '0000-00-00 00:00:00', '2024-02-30', '2023-02-29 23:59:59', ' 2020-01-01 ', '2020-01-01 10:00:00+08:00', '9999-12-31 23:59:59', '1000-01-01 00:00:00', '2020-13-01'),
  );
  fc.assert(
    fc.property(text, offset, (t, off) => {
      let want: unknown;
      try {
        want = datetimeFromText(t, off);
      } catch (e) {
        assert.throws(() => datetimeFromProtocolText(t, off), { message: (e as Error).message });
        return;
      }
      assert.equal(datetimeFromProtocolText(t, off), want, `${JSON.stringify(t)} at ${off}`);
    }),
    { numRuns: 3000 },
  );
});

test('the decoders\' date cache answers as the conversion does, over and over, past its capacity too', () => {
  const text = fc.oneof(
    fc.tuple(fc.integer({ min: 1998, max: 2001 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    fc.constantFrom('0000-00-00', '2024-02-30', '2020-01-01 10:00:00.5', 'not a date', ''),
  );
  fc.assert(
    fc.property(offset, fc.array(text, { maxLength: 60 }), (off, texts) => {
      const cache = new DatetimeCache(off, 8);
      for (const t of [...texts, ...texts]) {
        let want: unknown;
        try {
          want = datetimeFromProtocolText(t, off);
        } catch (e) {
          assert.throws(() => cache.get(t), { message: (e as Error).message });
          continue;
        }
        assert.equal(cache.get(t), want, `${JSON.stringify(t)} at ${off}`);
      }
    }),
    { numRuns: 500 },
  );
});
