// `auto`: every sample is recognised as its protocol; Debezium and Avro are refused with a clear reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecoder, detectProtocol } from '../../../../src/stream/decoders/index.js';
import { ALL, message, sample, schemas } from './sample-schemas.js';

const decodeFailed = (re: RegExp) => (e: unknown) => (e as { code?: string }).code === 'DECODE_FAILED' && re.test((e as Error).message);
const opts = { tableSchema: schemas(...ALL), timeZoneOffsetMinutes: 0 };

test('each sample is detected as its protocol', () => {
  for (const n of ['ddl', 'insert', 'watermark', 'handle-key-only', 'claim-check', 'insert-employee', 'update-employee', 'delete-employee', 'update-types-constructed']) {
    assert.equal(detectProtocol(message(sample(`canal-json-${n}.json`))), 'canal-json', n);
  }
  for (const n of ['ddl', 'insert', 'update', 'delete', 'watermark', 'bootstrap']) {
    assert.equal(detectProtocol(message(sample(`simple-${n}.json`))), 'simple', n);
  }
  for (const n of ['insert-batch', 'update', 'delete', 'ddl', 'resolved']) {
    assert.equal(detectProtocol(message(sample(`open-protocol-${n}.value.bin`), sample(`open-protocol-${n}.key.bin`))), 'open-protocol', n);
  }
});

test('Debezium samples and Avro framing are refused with the supported alternatives', () => {
  assert.throws(() => detectProtocol(message(sample('debezium-insert-docs.json'))), decodeFailed(/Debezium.*not supported/));
  assert.throws(() => detectProtocol(message(sample('debezium-insert-datatypes.value.json'), sample('debezium-insert-datatypes.key.json'))), decodeFailed(/Debezium/));
  // avro-format-notes.txt: 0x00 magic, uint32 schema id, Avro body.
  assert.throws(() => detectProtocol(message(Buffer.from([0, 0, 0, 0, 7, 2, 4]))), decodeFailed(/Avro/));
});

test('auto keeps its first choice: after canal-json, a simple-protocol message is not re-detected', () => {
  const d = createDecoder('auto', opts);
  assert.equal(d.protocol, 'auto');
  assert.throws(() => d.decode(message('garbage')), decodeFailed(/cannot detect/));
  assert.equal(d.protocol, 'auto', 'an unrecognised first message does not lock the choice');
  assert.deepEqual(d.decode(message(sample('canal-json-watermark.json'))), [{ kind: 'resolved', commitTs: 429918007904436226n }]);
  assert.equal(d.protocol, 'canal-json');
  assert.throws(() => d.decode(message(sample('simple-insert.json'))), decodeFailed(/canal-json: unknown message type "INSERT"|canal-json/));
});
