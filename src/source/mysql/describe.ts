// Reads a table's columns and identifying key from information_schema (parameterised, never by pasting
// names into SQL) and turns absence into the typed validation errors the API reports.
import type { ColumnSchema, TableSchema } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';
import { columnTypeInfo } from '../type-map.js';
import type { SqlConnection } from './connection.js';

interface ColumnRow {
  readonly name: string;
  readonly dataType: string;
  readonly columnType: string;
  readonly nullable: string;
}

interface KeyRow {
  readonly indexName: string;
  readonly nonUnique: number | string;
  readonly column: string;
  readonly seq: number | string;
}

export async function describeTable(conn: Pick<SqlConnection, 'query'>, db: string, table: string): Promise<TableSchema> {
  const schemata = await conn.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);
  const dbName = schemata[0]?.name;
  if (dbName === undefined) {
    throw new TidesearchError('DATABASE_NOT_FOUND', `database '${db}' does not exist on the source (or the user may not see it); check datasource.dbName`, {
      field: 'datasource.dbName',
    });
  }
  const tables = await conn.query<{ name: string; type: string }>(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [dbName, table],
  );
  const found = tables.find((t) => t.name === table) ?? tables[0];
  if (found === undefined) {
    throw new TidesearchError('TABLE_NOT_FOUND', `table '${table}' does not exist in database '${dbName}'`, { field: 'table' });
  }
  const tableName = found.name;

  const columnRows = await conn.query<ColumnRow>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [dbName, tableName],
  );
  const columns: ColumnSchema[] = columnRows.map((c) => {
    const info = columnTypeInfo(String(c.dataType), String(c.columnType));
    return {
      name: c.name,
      kind: info.kind,
      sqlType: String(c.columnType),
      nullable: c.nullable === 'YES',
      ...(info.members ? { members: info.members } : {}),
    };
  });

  const keyRows = await conn.query<KeyRow>(
    `SELECT INDEX_NAME AS indexName, NON_UNIQUE AS nonUnique, COLUMN_NAME AS \`column\`, SEQ_IN_INDEX AS seq
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [dbName, tableName],
  );
  const { key, keyKind } = chooseKey(keyRows, columns, tableName);
  return { db: dbName, table: tableName, columns, key, keyKind };
}

/** The PRIMARY KEY, else the first unique key whose columns are all NOT NULL (the one InnoDB would cluster on). */
function chooseKey(rows: readonly KeyRow[], columns: readonly ColumnSchema[], table: string): Pick<TableSchema, 'key' | 'keyKind'> {
  const indexes = new Map<string, { unique: boolean; parts: { column: string; seq: number }[] }>();
  for (const r of rows) {
    let ix = indexes.get(r.indexName);
    if (!ix) indexes.set(r.indexName, (ix = { unique: Number(r.nonUnique) === 0, parts: [] }));
    ix.parts.push({ column: r.column, seq: Number(r.seq) });
  }
  const keyOf = (name: string): string[] => indexes.get(name)!.parts.sort((a, b) => a.seq - b.seq).map((p) => p.column);
  if (indexes.has('PRIMARY')) return { key: keyOf('PRIMARY'), keyKind: 'primary' };
  const nullable = new Set(columns.filter((c) => c.nullable).map((c) => c.name));
  for (const [name, ix] of indexes) {
    // An expression part has no column name; such a key cannot identify rows by columns.
    if (ix.unique && ix.parts.every((p) => p.column !== null && !nullable.has(p.column))) return { key: keyOf(name), keyKind: 'unique' };
  }
  throw new TidesearchError(
    'NO_PRIMARY_KEY',
    `table '${table}' has neither a PRIMARY KEY nor a UNIQUE key on NOT NULL columns, so its rows cannot be identified ` +
      'and kept in sync; add a primary key (e.g. ALTER TABLE ... ADD PRIMARY KEY (...)) and try again',
    { field: 'table' },
  );
}
