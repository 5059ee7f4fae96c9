// The TiKV plugin against a real etcd (PD's embedded etcd stand-in) holding TiDB topology keys written as
// TiDB writes them, pointing at a throwaway MariaDB: discovery, liveness by ttl lease, PD fail-over, errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, registerTidb, startEtcd, startMariaDb, type Etcd, type MariaDb } from '../../support/index.js';
import { createTikvSource, discoverTidbServers } from '../../../src/source/tikv/index.js';
import { TidesearchError } from '../../../src/errors/index.js';
import type { RowImage } from '../../../src/core/value.js';

let etcd: Etcd;
let maria: MariaDb;

before(async () => {
  [etcd, maria] = await Promise.all([startEtcd(), startMariaDb({ database: 'shop' })]);
  await maria.exec(
    'CREATE TABLE shop.goods (id BIGINT PRIMARY KEY, title VARCHAR(100) NOT NULL, price DECIMAL(10,2));' +
      "INSERT INTO shop.goods SELECT seq, CONCAT('商品 ', seq), seq + 0.5 FROM seq_1_to_500;",
  );
});
after(async () => {
  await Promise.all([etcd?.stop(), maria?.stop()]);
});

test('a live server registered in PD is found and dumped; behind the TiKV plugin MariaDB gets the consistent-snapshot dump', async () => {
  const reg = await registerTidb(etcd, { ip: '127.0.0.1', port: maria.port, statusPort: 10080, version: 'v7.5.1', alive: true });
  try {
    const logs: string[] = [];
    await using source = await createTikvSource({ pdAddrs: etcd.endpoint, log: (l) => logs.push(l) });
    const schema = await source.describe('shop', 'goods');
    assert.deepEqual(schema.key, ['id']);
    await using snapshot = await source.openSnapshot(schema, { parallel: 2 });
    assert.equal(snapshot.position.dialect, 'mariadb');
    assert.equal(typeof snapshot.position.snapshotTs, 'bigint');
    const rows: RowImage[] = [];
    for await (const batch of snapshot.rows({ columns: ['id', 'title', 'price'], batchSize: 100 })) rows.push(...batch);
    assert.equal(rows.length, 500);
    assert.deepEqual(rows.find((r) => r.id === 7), { id: 7, title: '商品 7', price: '7.50' });
    assert.ok(logs.some((l) => l.includes(`127.0.0.1:${maria.port} (v7.5.1)`)), logs.join('\n'));
    assert.ok(logs.some((l) => /is not TiDB .*MySQL\/MariaDB consistent-snapshot dump/.test(l)), logs.join('\n'));
  } finally {
    await reg.kill();
    await etcd.del('/topology/tidb/');
  }
});

test('servers whose ttl key is gone (revoked or expired lease) are not used', async () => {
  const closed = await freePort();
  const crashed = await registerTidb(etcd, { ip: '127.0.0.1', port: closed, statusPort: 10080, alive: true });
  await crashed.kill(); // its info key stays, as after a crash
  await registerTidb(etcd, { ip: '127.0.0.2', port: closed, statusPort: 10080, alive: false });
  const expiring = await registerTidb(etcd, { ip: '127.0.0.3', port: closed, statusPort: 10080, alive: true, ttlSeconds: 2 });
  const live = await registerTidb(etcd, { ip: '127.0.0.1', port: maria.port, statusPort: 10080, alive: true });
  try {
    // Wait for the short lease to run out on its own (no keep-alive), as when a TiDB server is killed.
    const deadline = Date.now() + 15_000;
    while ((await etcd.get(`${expiring.prefix}/ttl`)).length > 0) {
      assert.ok(Date.now() < deadline, 'lease did not expire');
      await new Promise((r) => setTimeout(r, 200));
    }
    const found = await discoverTidbServers({ pdAddrs: etcd.endpoint });
    assert.deepEqual(found.servers.map((s) => s.addr), [`127.0.0.1:${maria.port}`]);
    await live.kill();
    await assert.rejects(discoverTidbServers({ pdAddrs: etcd.endpoint }), (e: unknown) => {
      assert.ok(e instanceof TidesearchError);
      assert.equal(e.code, 'NO_TIDB_ALIVE');
      assert.equal(e.field, 'datasource.pdAddrs');
      assert.match(e.message, new RegExp(`PD at ${etcd.endpoint} answered but lists no live TiDB server .*4 registered, none with a live ttl key`));
      return true;
    });
  } finally {
    await etcd.del('/topology/tidb/');
  }
});

test('several PD addresses: the first one down, the next one answers', async () => {
  const reg = await registerTidb(etcd, { ip: '127.0.0.1', port: maria.port, statusPort: 10080, alive: true });
  try {
    const down = await freePort();
    const found = await discoverTidbServers({ pdAddrs: `127.0.0.1:${down}, ${etcd.endpoint}` });
    assert.equal(found.via, `pd ${etcd.endpoint}`);
    await using source = await createTikvSource({ pdAddrs: `127.0.0.1:${down},${etcd.endpoint}` });
    assert.match(source.description, new RegExp(`127\\.0\\.0\\.1:${maria.port}`));
  } finally {
    await reg.kill();
    await etcd.del('/topology/tidb/');
  }
});

test('PD_UNREACHABLE names every PD address with its error', async () => {
  const [a, b] = [await freePort(), await freePort()];
  await assert.rejects(discoverTidbServers({ pdAddrs: `127.0.0.1:${a},127.0.0.1:${b}` }, { pdTimeoutMs: 2000 }), (e: unknown) => {
    assert.ok(e instanceof TidesearchError);
    assert.equal(e.code, 'PD_UNREACHABLE');
    assert.equal(e.field, 'datasource.pdAddrs');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${a} \\(ECONNREFUSED.*\\); 127\\.0\\.0\\.1:${b} \\(ECONNREFUSED`));
    return true;
  });
});

test('a PD address that is not PD (here: the MySQL port) is reported with the reason', async () => {
  await assert.rejects(
    discoverTidbServers({ pdAddrs: `127.0.0.1:${maria.port}` }, { pdTimeoutMs: 2000 }),
    new RegExp(`No PD address answered: 127\\.0\\.0\\.1:${maria.port} \\(HPE_INVALID_CONSTANT: Response does not match the HTTP/1\\.1 protocol`),
  );
});

test('tidbAddrs skips PD; user and password default to root and empty', async () => {
  await using source = await createTikvSource({ tidbAddrs: `127.0.0.1:${maria.port}` });
  assert.match(source.description, /root@127\.0\.0\.1/);
  await assert.rejects(createTikvSource({ tidbAddrs: `127.0.0.1:${maria.port}`, user: 'nobody', password: 'x' }), (e: unknown) => {
    assert.ok(e instanceof TidesearchError);
    assert.equal(e.code, 'SOURCE_UNREACHABLE');
    assert.equal(e.field, 'datasource.password');
    return true;
  });
});
