// PD (a real etcd) pointing at fake TiDB servers: the TiKV plugin takes the TiDB dialect, and when every
// server it knew is gone it asks PD again and carries on at the same snapshot on a newly registered one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerTidb, startEtcd } from '../../support/index.js';
import { startFakeTidb } from '../../support/fake-tidb.js';
import { createTikvSource } from '../../../src/source/tikv/index.js';
import type { RowImage } from '../../../src/core/value.js';
import { GOODS, S } from '../../unit/source/tidb/tidb-fixture.js';

test('found through PD, a TiDB server is dumped at S; when it dies, PD is asked again and another server finishes the chunk', async () => {
  await using etcd = await startEtcd();
  await using a = await startFakeTidb({ currentTs: S, tables: [GOODS] });
  await using b = await startFakeTidb({ currentTs: S, tables: [GOODS] });
  const regA = await registerTidb(etcd, { ip: a.host, port: a.port, statusPort: 10080, version: 'v7.5.1', alive: true });
  const logs: string[] = [];
  await using source = await createTikvSource({ pdAddrs: etcd.endpoint, log: (l) => logs.push(l) });
  assert.match(source.description, new RegExp(`^tidb root@127\\.0\\.0\\.1:${a.port}$`));
  const schema = await source.describe('shop', 'goods');
  await using snapshot = await source.openSnapshot(schema, { parallel: 1 });
  assert.equal(snapshot.position.dialect, 'tidb');
  assert.equal(snapshot.position.snapshotTs.toString(), S);

  // A stops; PD's view changes the way TiDB changes it: A's ttl lease goes, B registers.
  a.dieAfterRows(5);
  await regA.kill();
  await registerTidb(etcd, { ip: b.host, port: b.port, statusPort: 10080, alive: true });

  const rows: RowImage[] = [];
  for await (const batch of snapshot.rows({ columns: ['id', 'title'], batchSize: 2 })) rows.push(...batch);
  assert.deepEqual(rows.map((r) => r.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(logs.some((l) => l.startsWith(`TiDB servers re-read from pd ${etcd.endpoint}: 127.0.0.1:${b.port}`)), logs.join('\n'));
  const onB = b.log.filter((l) => l.sql.startsWith('SELECT `id`, `title`'));
  assert.ok(onB.length > 0 && onB.every((l) => l.snapshot === S), 'B reads at the same S');
});
