// Which new images a transaction analyses: only those whose tokens the writer can want, whatever the stored
// versions turn out to be (a superseded upsert's tokens are never read; the writer analyses any it lacks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PlainOp } from '../../../src/pipeline/change-ops.js';
import { upsertsToAnalyse } from '../../../src/pipeline/channel-transaction.js';
import { versionRule } from '../../../src/pipeline/version-rule.js';

const up = (key: string, version: bigint, sameTexts = false): PlainOp => ({ kind: 'upsert', key, version, values: { id: key, body: `${key}@${version}` }, ...(sameTexts ? { sameTexts } : {}) });
const del = (key: string, version: bigint): PlainOp => ({ kind: 'delete', key, version });
const picked = (ops: PlainOp[]) => upsertsToAnalyse(ops).map((op) => `${op.key}@${op.version}`);

test('an insert deleted later in the transaction, an update updated again and an unchanged-text update are not analysed', () => {
  assert.deepEqual(picked([up('a', 11n), up('b', 12n), del('a', 13n), up('b', 14n), up('c', 15n, true), up('d', 16n)]), ['b@14', 'd@16']);
});

test('an upsert followed only by older replays of its key is analysed: it may be the one that stays', () => {
  assert.deepEqual(picked([up('a', 20n), del('a', 15n), up('a', 18n)]), ['a@20', 'a@18']);
});

test('whatever the stored versions, the upsert that ends a key in the index is among those analysed (or had its texts unchanged)', () => {
  const op = fc.record({ kind: fc.constantFrom('upsert', 'delete'), key: fc.constantFrom('a', 'b', 'c'), version: fc.bigInt({ min: 5n, max: 25n }), same: fc.boolean() });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.bigInt({ min: 5n, max: 25n })), (spec, stored) => {
      const ops = spec.map((o) => (o.kind === 'delete' ? del(o.key, o.version) : up(o.key, o.version, o.same)));
      const analysed = new Set(upsertsToAnalyse(ops));
      const rule = versionRule(8n);
      const held = new Map<string, bigint | undefined>(Object.entries(stored));
      const last = new Map<string, PlainOp>();
      for (const o of ops) {
        if (!rule(o.version, held.get(o.key))) continue;
        held.set(o.key, o.version);
        last.set(o.key, o);
      }
      for (const o of last.values()) if (o.kind === 'upsert' && !o.sameTexts) assert.ok(analysed.has(o), `${o.key}@${o.version} ends its key but was not analysed`);
    }),
    { numRuns: 2000 },
  );
});
