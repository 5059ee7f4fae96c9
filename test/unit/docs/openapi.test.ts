// docs/openapi.json is what scripts/gen-openapi.ts makes of the admin request schemas, and it describes
// the same fields and defaults the validation applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPENAPI_PATH, renderOpenApi } from '../../../scripts/gen-openapi.js';
import { CreateSchema, parseBody } from '../../../src/api/admin/requests.js';

const doc = () => JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));

test('docs/openapi.json is up to date with the zod schemas (regenerate with scripts/gen-openapi.ts)', () => {
  assert.equal(readFileSync(OPENAPI_PATH, 'utf8'), renderOpenApi());
});

test('the document is OpenAPI 3.1 with the admin endpoint under /solr and /tjs', () => {
  const d = doc();
  assert.equal(d.openapi, '3.1.0');
  assert.ok(d.paths['/solr/config/config.ajax'].post);
  assert.ok(d.paths['/tjs/config/config.ajax'].post);
  assert.deepEqual(Object.keys(d['x-emethods']).sort(), [
    'do_create', 'do_create_incr', 'do_delete_index', 'do_fullbuild', 'do_get_incr_status', 'do_get_index_status', 'do_get_task_status', 'do_list_indexes',
  ]);
});

test('defaults in the document are the defaults validation applies', () => {
  const d = doc();
  const create = d.components.schemas.CreateRequest;
  const mysql = create.properties.datasource.oneOf.find((o: { properties: { plugin: { const: string } } }) => o.properties.plugin.const === 'MySQL');
  const incr = create.properties.incr.properties;
  const parsed = parseBody(CreateSchema, {
    datasource: { plugin: 'MySQL', host: 'h', dbName: 'd' },
    table: 't',
    indexName: 'i',
    columns: [{ name: 'c' }],
    incr: { plugin: 'TiCDC-Kafka', mqAddress: 'k:9092', topic: 't', groupId: 'g' },
  });
  assert.equal(mysql.properties.port.default, parsed.datasource.plugin === 'MySQL' ? parsed.datasource.port : NaN);
  assert.equal(mysql.properties.user.default, parsed.datasource.user);
  assert.equal(create.properties.columns.items.properties.search.default, parsed.columns[0]!.search);
  for (const k of ['offsetResetStrategy', 'protocol', 'maxWaitMs', 'deadLetterLimit', 'timeZone'] as const) {
    assert.equal(incr[k].default, parsed.incr![k], `incr.${k}`);
  }
  assert.deepEqual(create.required.sort(), ['columns', 'datasource', 'indexName', 'table']);
});
