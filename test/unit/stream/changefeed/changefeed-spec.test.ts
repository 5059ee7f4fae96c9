// How one changefeed is rendered: id, sink URI, table filter, API body and the `cdc cli` command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cdcCliCommand, changefeedIdFor, changefeedToml, sinkUri, tableFilterRule } from '../../../../src/stream/changefeed/changefeed-spec.js';
import { parseTsoJson, stringifyTsoJson } from '../../../../src/stream/changefeed/tso-json.js';

test('changefeed ids always match TiCDC’s pattern', () => {
  fc.assert(fc.property(fc.string(), (name) => /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/.test(changefeedIdFor(name))));
  assert.equal(changefeedIdFor('商品 index_v2'), 'tidesearch-index-v2');
});

test('the table filter selects one table; metacharacters are quoted', () => {
  assert.equal(tableFilterRule('shop', 'goods'), 'shop.goods');
  assert.equal(tableFilterRule('shop', 'goods*'), 'shop.`goods*`');
  assert.equal(tableFilterRule('my.db', 'a`b'), '`my.db`.`a``b`');
});

test('the sink URI encodes the topic and asks for canal-json with the TiDB extension', () => {
  assert.equal(sinkUri({ mqAddress: 'k1:9092', topic: 'a b' }), 'kafka://k1:9092/a%20b?protocol=canal-json&enable-tidb-extension=true');
});

test('the cdc cli command carries every option, and the TOML the filter', () => {
  const spec = { changefeedId: 'tidesearch-goods', startTs: 449588452307845121n, mqAddress: 'k1:9092', topic: 'goods', db: 'shop', table: 'goods' };
  assert.equal(
    cdcCliCommand(spec, { server: 'http://10.0.0.9:8300' }),
    'cdc cli changefeed create \\\n  --server=http://10.0.0.9:8300 \\\n  --changefeed-id="tidesearch-goods" \\\n  --start-ts=449588452307845121 \\\n' +
      '  --sink-uri="kafka://k1:9092/goods?protocol=canal-json&enable-tidb-extension=true" \\\n  --config=tidesearch-goods.toml',
  );
  assert.equal(changefeedToml(spec), "# Tidesearch: replicate only shop.goods\n[filter]\nrules = ['shop.goods']\n");
});

test('TSO fields survive parse and stringify exactly', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (ts) => {
      const text = `{"start_ts":${ts},"n":1.5,"nested":{"checkpoint_ts":${ts}}}`;
      const parsed = parseTsoJson(text) as { start_ts: string; nested: { checkpoint_ts: string } };
      assert.equal(parsed.start_ts, ts.toString());
      assert.equal(parsed.nested.checkpoint_ts, ts.toString());
      assert.equal(stringifyTsoJson(parsed), text);
    }),
  );
});
