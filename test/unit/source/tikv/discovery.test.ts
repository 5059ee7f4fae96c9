// Address lists and the TiDB topology keys as TiDB writes them (info without lease, ttl on a lease).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveServersFromTopology, parseAddrList } from '../../../../src/source/tikv/discovery.js';
import { prefixRangeEnd } from '../../../../src/source/tikv/etcd-gateway.js';

test('address lists are comma-separated host:port; anything else names the field', () => {
  assert.deepEqual(parseAddrList(' 10.0.0.1:2379, http://pd2:2379/ ', 'datasource.pdAddrs').map((a) => [a.host, a.port]), [['10.0.0.1', 2379], ['pd2', 2379]]);
  assert.deepEqual(parseAddrList('[::1]:4000', 'datasource.tidbAddrs').map((a) => [a.host, a.port]), [['::1', 4000]]);
  assert.throws(() => parseAddrList('pd1', 'datasource.pdAddrs'), (e: { field?: string; message: string }) => e.field === 'datasource.pdAddrs' && /"pd1" is not host:port/.test(e.message));
  assert.throws(() => parseAddrList(' , ', 'datasource.pdAddrs'), /is empty/);
});

test('only servers with a ttl key are alive; info supplies version and status port', () => {
  const info = (v: string) => JSON.stringify({ version: v, git_hash: 'abc', ip: '10.0.0.5', status_port: 10080, deploy_path: '/x', start_timestamp: 1700000000, labels: {} });
  const { live, registered } = liveServersFromTopology([
    { key: '/topology/tidb/10.0.0.5:4000/info', value: info('v7.5.1') },
    { key: '/topology/tidb/10.0.0.5:4000/ttl', value: '1700000000000000000' },
    { key: '/topology/tidb/10.0.0.6:4000/info', value: info('v7.5.1') }, // crashed: its ttl lease expired
    { key: '/topology/tidb/10.0.0.7:4000/ttl', value: '1700000000000000000' }, // info not written yet
  ]);
  assert.equal(registered, 3);
  assert.deepEqual(live, [
    { addr: '10.0.0.5:4000', host: '10.0.0.5', port: 4000, version: 'v7.5.1', gitHash: 'abc', statusPort: 10080, startTimestamp: 1700000000 },
    { addr: '10.0.0.7:4000', host: '10.0.0.7', port: 4000 },
  ]);
});

test('the etcd prefix range end is the prefix with its last byte incremented', () => {
  assert.equal(prefixRangeEnd('/topology/tidb/').toString(), '/topology/tidb0');
});
