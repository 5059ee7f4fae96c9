// A small table as the fake TiDB serves it: 10 goods in 3 regions (starting at ids 1, 4 and 8).
import type { FakeTable } from '../../../support/fake-tidb.js';

export const S = '449588452307845121';

export const GOODS: FakeTable = {
  db: 'shop',
  table: 'goods',
  columns: [
    { name: 'id', dataType: 'bigint', columnType: 'bigint(20)', nullable: false },
    { name: 'title', dataType: 'varchar', columnType: 'varchar(200)' },
    { name: 'price', dataType: 'decimal', columnType: 'decimal(10,2)' },
  ],
  primaryKey: ['id'],
  rows: Array.from({ length: 10 }, (_, i) => [String(i + 1), `商品 ${i + 1}`, `${i + 1}.50`]),
  regionStarts: [0, 3, 7],
};

export const NO_KEY: FakeTable = {
  db: 'shop',
  table: 'logs',
  columns: [{ name: 'line', dataType: 'text', columnType: 'text' }],
  primaryKey: [],
  rows: [],
  regionStarts: [0],
};

export const UNIQUE_ONLY: FakeTable = {
  db: 'shop',
  table: 'skus',
  columns: [
    { name: 'code', dataType: 'varchar', columnType: 'varchar(20)', nullable: false },
    { name: 'name', dataType: 'varchar', columnType: 'varchar(20)' },
  ],
  primaryKey: [],
  uniqueKeys: [{ name: 'uk_code', columns: ['code'] }],
  rows: [],
  regionStarts: [0],
};
