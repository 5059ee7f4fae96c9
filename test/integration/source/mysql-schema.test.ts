// describe() and connection errors against a real MariaDB: keys, validation errors with their fields,
// and hostile identifiers that must not inject SQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMySqlSource } from '../../../src/source/mysql/index.js';
import type { Source } from '../../../src/source/source.js';
import { TidesearchError } from '../../../src/errors/index.js';
import { freePort } from '../../support/free-port.js';
import { startMariaDb, type MariaDb } from '../../support/mariadb.js';

let db: MariaDb;
let source: Source;

before(async () => {
  db = await startMariaDb({ database: 'app' });
  source = await createMySqlSource({ host: db.host, port: db.port, user: db.user, password: db.password });
});
after(async () => {
  await source?.[Symbol.asyncDispose]();
  await db?.stop();
});

async function rejectsWith(p: Promise<unknown>, code: string, field: string, message: RegExp): Promise<TidesearchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TidesearchError, `expected a TidesearchError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.field, field);
    assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

async function dump(src: Source, dbName: string, table: string, parallel = 2): Promise<Record<string, unknown>[]> {
  const schema = await src.describe(dbName, table);
  await using snap = await src.openSnapshot(schema, { parallel });
  const rows: Record<string, unknown>[] = [];
  for await (const batch of snap.rows({ columns: schema.columns.map((c) => c.name) })) rows.push(...batch);
  return rows;
}

test('a composite primary key is reported in key order with its columns', async () => {
  await db.exec('CREATE TABLE app.orders (region CHAR(2) NOT NULL, id INT NOT NULL, note VARCHAR(20), PRIMARY KEY (id, region))');
  const schema = await source.describe('app', 'orders');
  assert.deepEqual(schema.key, ['id', 'region']);
  assert.equal(schema.keyKind, 'primary');
  assert.deepEqual(
    schema.columns.map((c) => [c.name, c.kind, c.sqlType, c.nullable]),
    [
      ['region', 'string', 'char(2)', false],
      ['id', 'integer', 'int(11)', false],
      ['note', 'string', 'varchar(20)', true],
    ],
  );
  await db.exec("INSERT INTO app.orders VALUES ('eu', 1, 'a'), ('us', 1, 'b'), ('eu', 2, NULL)");
  const rows = await dump(source, 'app', 'orders', 3);
  assert.deepEqual(
    rows.sort((a, b) => String(a.region).localeCompare(String(b.region)) || Number(a.id) - Number(b.id)),
    [
      { region: 'eu', id: 1, note: 'a' },
      { region: 'eu', id: 2, note: null },
      { region: 'us', id: 1, note: 'b' },
    ],
  );
});

test('without a primary key the first NOT NULL unique key identifies rows', async () => {
  await db.exec(`CREATE TABLE app.people (
    nick VARCHAR(20) NULL, email VARCHAR(50) NOT NULL, tenant INT NOT NULL, age INT,
    UNIQUE KEY by_nick (nick), UNIQUE KEY by_email (tenant, email), KEY by_age (age))`);
  const schema = await source.describe('app', 'people');
  assert.deepEqual(schema.key, ['tenant', 'email']);
  assert.equal(schema.keyKind, 'unique');
});

test('a table with no primary key and only nullable unique keys is refused', async () => {
  await db.exec('CREATE TABLE app.loose (a INT NULL, b INT, UNIQUE KEY (a), KEY (b))');
  await rejectsWith(source.describe('app', 'loose'), 'NO_PRIMARY_KEY', 'table', /'loose' has neither a PRIMARY KEY nor a UNIQUE key on NOT NULL columns.*add a primary key/);
});

test('an unknown database or table is reported against its field', async () => {
  await rejectsWith(source.describe('nosuchdb', 'x'), 'DATABASE_NOT_FOUND', 'datasource.dbName', /database 'nosuchdb' does not exist/);
  await rejectsWith(source.describe('app', 'nosuchtable'), 'TABLE_NOT_FOUND', 'table', /table 'nosuchtable' does not exist in database 'app'/);
});

test('a requested column the table lacks is refused by the scan', async () => {
  const schema = await source.describe('app', 'orders');
  await using snap = await source.openSnapshot(schema, { parallel: 1 });
  await rejectsWith(
    (async () => {
      for await (const _ of snap.rows({ columns: ['id', 'nope'] }));
    })(),
    'COLUMN_NOT_FOUND',
    'columns',
    /column 'nope' does not exist in table 'orders'/,
  );
});

test('nothing listening on the port: SOURCE_UNREACHABLE on datasource.port with host:port and the reason', async () => {
  const port = await freePort();
  await rejectsWith(
    createMySqlSource({ host: '127.0.0.1', port, user: 'root', password: '' }),
    'SOURCE_UNREACHABLE',
    'datasource.port',
    new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port} as root: .*ECONNREFUSED`),
  );
});

test('an unknown host name: SOURCE_UNREACHABLE on datasource.host', async () => {
  await rejectsWith(
    createMySqlSource({ host: 'no-such-host.invalid', port: 3306, user: 'root', password: '', connectTimeoutMs: 3000 }),
    'SOURCE_UNREACHABLE',
    'datasource.host',
    /cannot connect to no-such-host\.invalid:3306 as root: /,
  );
});

test('a wrong password: SOURCE_UNREACHABLE on datasource.password, and the password is never echoed', async () => {
  await db.exec("CREATE USER 'alice'@'%' IDENTIFIED BY 'right-horse-battery'");
  const err = await rejectsWith(
    createMySqlSource({ host: db.host, port: db.port, user: 'alice', password: 'Sup3r-s3cret-guess' }),
    'SOURCE_UNREACHABLE',
    'datasource.password',
    /cannot connect to 127\.0\.0\.1:\d+ as alice: Access denied for user 'alice'/,
  );
  assert.deepEqual(err.fieldErrors.map((f) => f.name), ['datasource.password', 'datasource.user']);
  const everything = JSON.stringify({ m: err.message, f: err.fieldErrors, s: err.stack });
  assert.ok(!everything.includes('Sup3r-s3cret-guess'));
  // The right password works, and the description carries no password either.
  await using ok = await createMySqlSource({ host: db.host, port: db.port, user: 'alice', password: 'right-horse-battery' });
  assert.ok(!ok.description.includes('right-horse-battery'));
  assert.match(ok.description, /alice@127\.0\.0\.1:\d+/);
});

test('hostile database, table and column names are read as names, never as SQL', async () => {
  const hostileDb = "d`b'; DROP DATABASE app; --";
  const hostileTable = "t`; DROP TABLE app.orders; -- \"x\" ' \\";
  const hostileCol = "c`) FROM app.orders; --";
  const q = (s: string): string => '`' + s.replaceAll('`', '``') + '`';
  await db.exec(`CREATE DATABASE ${q(hostileDb)}`);
  await db.exec(`CREATE TABLE ${q(hostileDb)}.${q(hostileTable)} (${q(hostileCol)} INT PRIMARY KEY, ${q("v'al`ue;")} VARCHAR(10))`);
  await db.query(`INSERT INTO ${q(hostileDb)}.${q(hostileTable)} VALUES (?, ?), (?, ?), (?, ?)`, [1, 'one', 2, "tw'o", 3, null]);

  const schema = await source.describe(hostileDb, hostileTable);
  assert.equal(schema.db, hostileDb);
  assert.equal(schema.table, hostileTable);
  assert.deepEqual(schema.key, [hostileCol]);
  const rows = await dump(source, hostileDb, hostileTable, 2);
  assert.deepEqual(
    rows.sort((a, b) => Number(a[hostileCol]) - Number(b[hostileCol])),
    [
      { [hostileCol]: 1, "v'al`ue;": 'one' },
      { [hostileCol]: 2, "v'al`ue;": "tw'o" },
      { [hostileCol]: 3, "v'al`ue;": null },
    ],
  );
  // Nothing the names "said" happened.
  const [still] = await db.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM app.orders');
  assert.equal(still!.n, 3);
  await rejectsWith(source.describe(hostileDb, "x' OR '1'='1"), 'TABLE_NOT_FOUND', 'table', /does not exist/);
});

test('a source whose metadata connection was killed reconnects for the next describe', async () => {
  await db.exec("CREATE USER 'meta'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON app.* TO 'meta'@'%'");
  await using src = await createMySqlSource({ host: db.host, port: db.port, user: 'meta', password: 'pw' });
  await src.describe('app', 'orders');
  const ids = await db.query<{ id: number }[]>("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = 'meta'");
  assert.equal(ids.length, 1);
  await db.exec(`KILL CONNECTION ${ids[0]!.id}`);
  await new Promise((r) => setTimeout(r, 100));
  const schema = await src.describe('app', 'orders');
  assert.deepEqual(schema.key, ['id', 'region']);
  const after = await db.query<{ id: number }[]>("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = 'meta'");
  assert.equal(after.length, 1);
  assert.notEqual(after[0]!.id, ids[0]!.id, 'a new connection replaced the killed one');
});

test('an empty table dumps as no rows, with or without parallel readers', async () => {
  await db.exec('CREATE TABLE app.empty (id BIGINT PRIMARY KEY, t TEXT)');
  assert.deepEqual(await dump(source, 'app', 'empty', 1), []);
  assert.deepEqual(await dump(source, 'app', 'empty', 3), []);
});
