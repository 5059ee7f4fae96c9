// The TiCDC v2 client against a fake server built from the documented API: bodies, TSO precision, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../../support/free-port.js';
import { startFakeTicdc } from '../../../support/fake-ticdc.js';
import { createTicdcClient } from '../../../../src/stream/changefeed/ticdc-client.js';
import { changefeedIdFor, type ChangefeedSpec } from '../../../../src/stream/changefeed/changefeed-spec.js';
import { TidesearchError } from '../../../../src/errors/index.js';

// Above 2^53: a JS number would round it.
const S = 449588452307845121n;
const spec: ChangefeedSpec = { changefeedId: changefeedIdFor('goods_idx'), startTs: S, mqAddress: '10.0.0.1:9092, 10.0.0.2:9092', topic: 'tidb-goods', db: 'shop', table: 'goods' };

test('createChangefeed posts start_ts as an exact uint64, a canal-json kafka sink and a one-table filter', async () => {
  await using cdc = await startFakeTicdc();
  const client = createTicdcClient({ cdcAddr: cdc.addr });
  const info = await client.createChangefeed(spec);
  assert.equal(info.id, 'tidesearch-goods-idx');
  assert.equal(info.startTs, S);
  const stored = cdc.changefeeds.get('tidesearch-goods-idx');
  assert.equal(stored?.startTsText, '449588452307845121');
  assert.equal(stored?.sinkUri, 'kafka://10.0.0.1:9092,10.0.0.2:9092/tidb-goods?protocol=canal-json&enable-tidb-extension=true');
  assert.deepEqual(stored?.replicaConfig, { filter: { rules: ['shop.goods'] }, sink: { protocol: 'canal-json' } });
  assert.deepEqual(cdc.requests.map((r) => `${r.method} ${r.path}`), ['POST /api/v2/changefeeds']);
});

test('getChangefeed returns null for a missing changefeed and the TSOs exactly for an existing one', async () => {
  await using cdc = await startFakeTicdc();
  const client = createTicdcClient({ cdcAddr: `http://${cdc.addr}/` });
  assert.equal(await client.getChangefeed('nope'), null);
  await client.createChangefeed(spec);
  const got = await client.getChangefeed(spec.changefeedId);
  assert.equal(got?.checkpointTs, S);
  assert.equal(got?.state, 'normal');
});

test('deleteChangefeed removes it and is idempotent', async () => {
  await using cdc = await startFakeTicdc();
  const client = createTicdcClient({ cdcAddr: cdc.addr });
  await client.createChangefeed(spec);
  await client.deleteChangefeed(spec.changefeedId);
  await client.deleteChangefeed(spec.changefeedId);
  assert.equal(cdc.changefeeds.size, 0);
});

test("API errors become CDC_API_ERROR carrying TiCDC's error_msg", async () => {
  await using cdc = await startFakeTicdc();
  const client = createTicdcClient({ cdcAddr: cdc.addr });
  cdc.failNext(400, 'CDC:ErrKafkaNewProducer', '[CDC:ErrKafkaNewProducer]new kafka producer: dial tcp 10.0.0.1:9092: connection refused');
  await assert.rejects(client.createChangefeed(spec), (e: unknown) => {
    assert.ok(e instanceof TidesearchError);
    assert.equal(e.code, 'CDC_API_ERROR');
    assert.equal(e.field, 'incr.cdcAddr');
    assert.match(e.message, /HTTP 400, CDC:ErrKafkaNewProducer.*connection refused/);
    return true;
  });
});

test('an unreachable TiCDC is a CDC_API_ERROR naming the address', async () => {
  const port = await freePort();
  const client = createTicdcClient({ cdcAddr: `127.0.0.1:${port}`, timeoutMs: 2000 });
  await assert.rejects(client.getChangefeed('x'), new RegExp(`TiCDC at http://127\\.0\\.0\\.1:${port} could not be reached.*ECONNREFUSED`));
});

test('ensureChangefeed creates once, then verifies; a different sink or a later start is refused', async () => {
  await using cdc = await startFakeTicdc();
  const client = createTicdcClient({ cdcAddr: cdc.addr });
  assert.equal((await client.ensureChangefeed(spec)).created, true);
  assert.equal((await client.ensureChangefeed(spec)).created, false);
  assert.equal((await client.ensureChangefeed({ ...spec, startTs: S + 100n })).created, false, 'an earlier start is fine: versions drop the replays');
  await assert.rejects(client.ensureChangefeed({ ...spec, topic: 'other' }), /already exists with sink .*tidb-goods/);
  await assert.rejects(client.ensureChangefeed({ ...spec, startTs: S - 1n }), /starts at 449588452307845121, after the snapshot 449588452307845120/);
  assert.equal(cdc.requests.filter((r) => r.method === 'POST').length, 1);
});
