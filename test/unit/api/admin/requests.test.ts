// Request validation: every bad field is named with the path the user wrote and says what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSchema, CreateIncrSchema, TaskSchema, checkDuplicateColumns, parseBody } from '../../../../src/api/admin/requests.js';
import { TidesearchError } from '../../../../src/errors/index.js';
import type { z } from 'zod';

const good = {
  datasource: { plugin: 'MySQL', host: '127.0.0.1', port: 3306, user: 'root', password: 'pw', dbName: 'employees' },
  table: 'employess',
  indexName: 'employess',
  columns: [{ name: 'emp_no', token: 'string', search: true }, { name: 'bio', token: 'ik', search: true }],
};

function fieldsOf(body: unknown, schema: z.ZodType = CreateSchema): { name: string; content: string }[] {
  try {
    parseBody(schema, body);
  } catch (e) {
    assert.ok(e instanceof TidesearchError);
    assert.equal(e.code, 'BAD_REQUEST');
    return [...e.fieldErrors];
  }
  assert.fail('expected a validation error');
}

test('a valid body parses with defaults filled in', () => {
  const r = parseBody(CreateSchema, { ...good, incr: { plugin: 'TiCDC-Kafka', mqAddress: 'k:9092', topic: 't', groupId: 'g' } });
  assert.equal(r.datasource.plugin, 'MySQL');
  assert.equal(r.incr?.offsetResetStrategy, 'earliest');
  assert.equal(r.incr?.protocol, 'auto');
  assert.equal(r.columns[1]!.token, 'ik');
});

test('plugin names are accepted case-insensitively', () => {
  const r = parseBody(CreateSchema, { ...good, datasource: { ...good.datasource, plugin: 'mysql' } });
  assert.equal(r.datasource.plugin, 'MySQL');
});

test('an unknown token names the column and lists the valid ones', () => {
  const f = fieldsOf({ ...good, columns: [good.columns[0], { name: 'bio', token: 'ikk' }] });
  assert.equal(f[0]!.name, 'columns[1].token');
  assert.match(f[0]!.content, /unknown token "ikk"; expected one of ik, like, pinyin, string, text_ws, standard/);
});

test('an unknown datasource plugin is named', () => {
  const f = fieldsOf({ ...good, datasource: { ...good.datasource, plugin: 'Oracle' } });
  assert.equal(f[0]!.name, 'datasource.plugin');
  assert.match(f[0]!.content, /unknown datasource plugin "Oracle"/);
});

test('a missing plugin is named', () => {
  const { plugin: _p, ...ds } = good.datasource;
  const f = fieldsOf({ ...good, datasource: ds });
  assert.equal(f[0]!.name, 'datasource.plugin');
  assert.match(f[0]!.content, /required/);
});

test('TiKV needs pdAddrs or tidbAddrs', () => {
  const f = fieldsOf({ ...good, datasource: { plugin: 'TiKV', dbName: 'employees' } });
  assert.equal(f[0]!.name, 'datasource.pdAddrs');
});

test('index names outside [A-Za-z0-9_] are refused', () => {
  for (const bad of ['emp-1', 'a b', 'x;drop', '']) {
    const f = fieldsOf({ ...good, indexName: bad });
    assert.equal(f[0]!.name, 'indexName');
    assert.match(f[0]!.content, /A-Z, a-z, 0-9 or _/);
  }
});

test('missing required fields are each named', () => {
  const f = fieldsOf({ datasource: good.datasource });
  const names = f.map((x) => x.name).sort();
  assert.deepEqual(names, ['columns', 'indexName', 'table']);
});

test('an unknown top-level field is reported (typos do not pass silently)', () => {
  const f = fieldsOf({ ...good, indexname: 'x' });
  assert.equal(f[0]!.name, 'indexname');
  assert.match(f[0]!.content, /unknown field "indexname"/);
});

test('a duplicate column names the second occurrence', () => {
  assert.throws(
    () => checkDuplicateColumns([{ name: 'bio' }, { name: 'emp_no' }, { name: 'BIO' }]),
    (e: unknown) => e instanceof TidesearchError && e.field === 'columns[2].name' && /listed twice/.test(e.message),
  );
});

test('incr fields are validated', () => {
  const f = fieldsOf({ indexName: 'x', incr: { plugin: 'TiCDC-Kafka', mqAddress: 'k:9092', topic: 't', groupId: 'g', offsetResetStrategy: 'oldest' } }, CreateIncrSchema);
  assert.equal(f[0]!.name, 'incr.offsetResetStrategy');
  const g = fieldsOf({ indexName: 'x', incr: { plugin: 'Canal', mqAddress: 'k', topic: 't', groupId: 'g' } }, CreateIncrSchema);
  assert.equal(g[0]!.name, 'incr.plugin');
});

test('taskid accepts numbers and numeric strings, nothing else', () => {
  assert.equal(parseBody(TaskSchema, { taskid: '12' }).taskid, 12);
  assert.equal(fieldsOf({ taskid: 'abc' }, TaskSchema)[0]!.name, 'taskid');
});
