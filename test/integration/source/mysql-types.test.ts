// Every MySQL type the dump reads comes out as the canonical value of its field kind, exactly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMySqlSource } from '../../../src/source/mysql/index.js';
import type { Source } from '../../../src/source/source.js';
import type { RowImage } from '../../../src/core/value.js';
import { startMariaDb, type MariaDb } from '../../support/mariadb.js';

let db: MariaDb;
let source: Source;
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

before(async () => {
  db = await startMariaDb({ database: 'app' });
  // DATETIME values are written in +08:00; TIMESTAMP is written through a +08:00 session and stored in UTC.
  source = await createMySqlSource({ host: db.host, port: db.port, user: db.user, password: db.password, timeZoneOffsetMinutes: 480 });
  await db.exec(`CREATE TABLE app.types (
    id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    i8 TINYINT, u8 TINYINT UNSIGNED, i32 INT, i64 BIGINT, y YEAR, b BIT(12),
    dec30 DECIMAL(30,10), f FLOAT, d DOUBLE,
    ts TIMESTAMP(6) NULL DEFAULT NULL, dt DATETIME(3), dd DATE, tm TIME(6),
    ch CHAR(4), vc VARCHAR(100), tx TEXT,
    en ENUM('small','med''ium','x,y'), st SET('red','green','blue'), js JSON,
    bn BINARY(4), vb VARBINARY(300), bl BLOB,
    pt POINT
  ) CHARSET utf8mb4`);
  await db.exec(`SET SESSION sql_mode = ''; SET SESSION time_zone = '+08:00';
    INSERT INTO app.types (id, i8, u8, i32, i64, y, b, dec30, f, d, ts, dt, dd, tm, ch, vc, tx, en, st, js, bn, vb, bl, pt) VALUES
    (18446744073709551615, -128, 255, -2147483648, -9223372036854775808, 1901, b'111111111111',
     '-12345678901234567890.0123456789', 1.5, 0.1,
     '2024-03-01 08:30:00.123456', '2024-03-01 08:30:00.5', '2024-03-01', '-838:59:59.000000',
     'ab', 'Grüße 你好 😀', 'line1\nline2\ttab', 'med''ium', 'red,blue', '{"k": [1, "二", null]}',
     x'00ff7f80', ${'0x' + ALL_BYTES.toString('hex')}, ${'0x' + ALL_BYTES.toString('hex')}, ST_GeomFromText('POINT(1.5 -2)')),
    (9007199254740993, 127, 0, 2147483647, 9223372036854775807, 2155, b'0',
     '0.0000000001', -3.25, 1.7976931348623157e308,
     '1970-01-01 08:00:01', '0000-00-00 00:00:00', '0000-00-00', '00:00:00',
     '', '', '', 'small', '', '[]', x'00000000', x'', x'', NULL),
    (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
});
after(async () => {
  await source?.[Symbol.asyncDispose]();
  await db?.stop();
});

async function readAll(parallel: number): Promise<Map<string, RowImage>> {
  const schema = await source.describe('app', 'types');
  await using snap = await source.openSnapshot(schema, { parallel });
  const byId = new Map<string, RowImage>();
  for await (const batch of snap.rows({ columns: schema.columns.map((c) => c.name), batchSize: 2, parallel })) {
    for (const row of batch) byId.set(String(row.id), row);
  }
  return byId;
}

test('describe maps each column to its field kind, with enum/set members', async () => {
  const schema = await source.describe('app', 'types');
  const kinds = Object.fromEntries(schema.columns.map((c) => [c.name, c.kind]));
  assert.deepEqual(kinds, {
    id: 'integer', i8: 'integer', u8: 'integer', i32: 'integer', i64: 'integer', y: 'integer', b: 'integer',
    dec30: 'decimal', f: 'float', d: 'float',
    ts: 'datetime', dt: 'datetime', dd: 'datetime', tm: 'time',
    ch: 'string', vc: 'string', tx: 'string', en: 'string', st: 'string', js: 'string',
    bn: 'binary', vb: 'binary', bl: 'binary', pt: 'string',
  });
  const col = (n: string) => schema.columns.find((c) => c.name === n)!;
  assert.deepEqual(col('en').members, ['small', "med'ium", 'x,y']);
  assert.deepEqual(col('st').members, ['red', 'green', 'blue']);
  assert.equal(col('id').sqlType, 'bigint(20) unsigned');
  assert.equal(col('id').nullable, false);
});

for (const parallel of [1, 3]) {
  test(`values round-trip exactly (parallel ${parallel})`, async () => {
    const rows = await readAll(parallel);
    assert.equal(rows.size, 3);
    assert.deepEqual(rows.get('18446744073709551615'), {
      id: 18446744073709551615n,
      i8: -128,
      u8: 255,
      i32: -2147483648,
      i64: -9223372036854775808n,
      y: 1901,
      b: 4095,
      dec30: '-12345678901234567890.0123456789',
      f: 1.5,
      d: 0.1,
      // Written as 08:30 in a +08:00 session: stored and read as 00:30 UTC.
      ts: '2024-03-01T00:30:00.123456Z',
      // DATETIME has no zone: interpreted in the configured +08:00.
      dt: '2024-03-01T00:30:00.500Z',
      dd: '2024-02-29T16:00:00Z',
      tm: '-838:59:59.000000',
      ch: 'ab',
      vc: 'Grüße 你好 😀',
      tx: 'line1\nline2\ttab',
      en: "med'ium",
      st: 'red,blue',
      js: '{"k": [1, "二", null]}',
      bn: Buffer.from([0x00, 0xff, 0x7f, 0x80]).toString('base64'),
      vb: ALL_BYTES.toString('base64'),
      bl: ALL_BYTES.toString('base64'),
      pt: 'POINT(1.5 -2)',
    });
    const second = rows.get('9007199254740993')!;
    // 2^53 + 1 is not a safe JS number: it stays a bigint, exactly.
    assert.equal(second.id, 9007199254740993n);
    assert.equal(second.i64, 9223372036854775807n);
    assert.equal(second.b, 0);
    assert.equal(second.dec30, '0.0000000001');
    assert.equal(second.d, 1.7976931348623157e308);
    assert.equal(second.ts, '1970-01-01T00:00:01.000000Z');
    // Zero dates have no instant: null.
    assert.equal(second.dt, null);
    assert.equal(second.dd, null);
    assert.equal(second.tm, '00:00:00.000000');
    assert.equal(second.vc, '');
    assert.equal(second.st, '');
    assert.equal(second.vb, '');
    assert.equal(second.bn, 'AAAAAA==');
    assert.equal(second.pt, null);
    const empty = rows.get('1')!;
    for (const [name, value] of Object.entries(empty)) if (name !== 'id') assert.equal(value, null, name);
  });
}

test('only the requested columns are read, in the requested order', async () => {
  const schema = await source.describe('app', 'types');
  await using snap = await source.openSnapshot(schema, { parallel: 1 });
  const rows: RowImage[] = [];
  for await (const batch of snap.rows({ columns: ['vc', 'id'] })) rows.push(...batch);
  assert.deepEqual(Object.keys(rows[0]!), ['vc', 'id']);
});
