// A generation's writer on a thread of its own: what it applies (version rule, tokens it must make itself),
// the positions it reports after each commit, a catch-up generation made durable, and errors that name the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FieldSpec, IndexSpec } from '../../../src/core/schema.js';
import { GenerationBuilder } from '../../../src/engine/store/builder.js';
import { openWriterThread } from '../../../src/pipeline/channel-writer.js';

const field = (name: string, kind: FieldSpec['kind'], token: FieldSpec['token'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind === 'integer' ? 'int' : 'text', token, search: true, isKey });
const spec: IndexSpec = { name: 'notes', db: 'd', table: 'notes', key: ['id'], fields: [field('id', 'integer', 'string', true), field('body', 'string', 'standard')] };
const SNAPSHOT = 100n;

function generation(): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-writer-thread-'));
  const file = join(dir, 'gen.sqlite');
  const b = new GenerationBuilder(file, spec);
  b.setSnapshot(SNAPSHOT);
  const batch = b.insertDocs([{ id: 1, body: 'dumped otters' }], SNAPSHOT);
  b.insertTokens(batch.rids, ['dumped otters']);
  b.seal();
  b.close();
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const matches = (file: string, q: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT d.doc_key FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ? ORDER BY d.doc_key').pluck().all(q) as string[];
  } finally {
    db.close();
  }
};

test('a writer thread applies under the version rule, analyses upserts that come without tokens, and reports the positions each commit left', async () => {
  const g = generation();
  const w = await openWriterThread(g.file, spec, { durable: false });
  try {
    assert.deepEqual(w.positions(), []);
    const r = await w.apply(
      [
        { kind: 'upsert', key: '2', version: SNAPSHOT + 1n, values: { id: 2, body: 'beavers build dams' } }, // no tokens: analysed on the thread
        { kind: 'upsert', key: '3', version: SNAPSHOT + 2n, values: { id: 3, body: 'ignored text' }, tokens: ['given tokens'] },
        { kind: 'upsert', key: '1', version: SNAPSHOT, values: { id: 1, body: 'a replay of the dump' } }, // not newer than S: skipped
        { kind: 'delete', key: '1', version: SNAPSHOT + 3n },
      ],
      [{ topic: 't', partition: 0, offset: '4' }],
    );
    assert.deepEqual([...r.outcome], [1, 1, 0, 1]);
    assert.equal(r.applied, 3);
    assert.equal(r.skipped, 1);
    assert.deepEqual(w.positions(), [{ topic: 't', partition: 0, offset: '4' }], 'the positions the commit stored');
    await w.makeDurable();
    assert.equal(await w.docCount(), 2);
  } finally {
    await w.close();
  }
  assert.deepEqual(matches(g.file, 'beavers'), ['2'], "the thread's own analysis of the text");
  assert.deepEqual(matches(g.file, 'given'), ['3'], 'the tokens that came with the upsert');
  assert.deepEqual(matches(g.file, 'otters'), [], 'the delete reached the full-text index');
  const db = new Database(g.file, { readonly: true });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'made durable: back in WAL mode');
  } finally {
    db.close();
  }
  g.cleanup();
});

test('a writer thread that cannot open its generation rejects with the file named; close() is safe twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-writer-thread-'));
  try {
    const missing = join(dir, 'gen-9.sqlite');
    await assert.rejects(openWriterThread(missing, spec), (e: Error) => e.message.includes(missing));
    const g = generation();
    const w = await openWriterThread(g.file, spec);
    await w.close();
    await w.close();
    await assert.rejects(w.apply([], []), /closed/);
    g.cleanup();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('calls may overlap: a writer thread commits them in call order; once one fails, those called after it are refused and write nothing', async () => {
  const g = generation();
  const w = await openWriterThread(g.file, spec);
  try {
    const at = (offset: string) => [{ topic: 't', partition: 0, offset }];
    // All three are handed over before the first commit is reported.
    const first = w.apply([{ kind: 'upsert', key: '2', version: SNAPSHOT + 1n, values: { id: 2, body: 'first beavers' }, tokens: ['first beavers'] }], at('1'));
    const failing = w.apply([{ kind: 'upsert', key: null as unknown as string, version: SNAPSHOT + 2n, values: { id: 3, body: 'no key' }, tokens: ['no key'] }], at('2'));
    const after = w.apply([{ kind: 'upsert', key: '4', version: SNAPSHOT + 3n, values: { id: 4, body: 'later otters' }, tokens: ['later otters'] }], at('3'));
    assert.equal((await first).applied, 1);
    await assert.rejects(failing, /NOT NULL constraint failed: docs\.doc_key/);
    await assert.rejects(after, /not written: an earlier transaction of this writer failed \(NOT NULL constraint failed/);
    assert.deepEqual(w.positions(), at('1'), 'the positions of the last commit that succeeded');
  } finally {
    await w.close();
  }
  assert.deepEqual(matches(g.file, 'beavers'), ['2']);
  assert.deepEqual(matches(g.file, 'later'), [], 'the transaction called after the failed one wrote nothing');
  g.cleanup();
});
