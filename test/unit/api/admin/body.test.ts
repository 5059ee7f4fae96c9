// Admin bodies: JSON, JSON5 (the document's relaxed examples), and a clear error for `#` comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAdminBody } from '../../../../src/api/admin/body.js';
import { canonicalEmethod } from '../../../../src/api/admin/emethod.js';

test('plain JSON and JSON5 both parse', () => {
  assert.deepEqual(parseAdminBody('{"indexName":"a"}'), { indexName: 'a' });
  assert.deepEqual(parseAdminBody("{indexName: 'a', log: true,}"), { indexName: 'a', log: true });
});

test('the document example with a full-width comma parses', () => {
  const body = `{ incr: { plugin: "TiCDC-Kafka"，\n mqAddress: "h:9092" , topic: "t", groupId: "g" } }`;
  assert.deepEqual(parseAdminBody(body), { incr: { plugin: 'TiCDC-Kafka', mqAddress: 'h:9092', topic: 't', groupId: 'g' } });
});

test('# comments get an error that says why', () => {
  assert.throws(() => parseAdminBody('{ taskid: 123 # the id\n }'), /`#` comments are not allowed/);
});

test('an empty body is an empty object', () => {
  assert.deepEqual(parseAdminBody('  '), {});
});

test('emethod spellings all reach the same call', () => {
  for (const s of ['do_get_task_status', 'get_task_status', 'getTaskStatus', 'doGetTaskStatus']) assert.equal(canonicalEmethod(s), 'get_task_status');
  assert.equal(canonicalEmethod('do_create'), 'create');
  assert.equal(canonicalEmethod('create'), 'create');
});
