// A test stand-in for TiCDC: makes real row changes in MariaDB and, after each commit returns, writes the
// canal-json message TiCDC would write (commitTs from the clock, as the MySQL dialect's snapshot expects),
// partitioned by key. So the final index can be compared with the table itself.
import type { Pool } from 'mysql2/promise';
import type { TableSchema } from '../../../src/core/schema.js';
import type { RowImage } from '../../../src/core/value.js';
import { valueFromText } from '../../../src/core/value.js';
import { clockTso } from '../../../src/core/tso.js';
import { encodeCanalJson } from '../../../src/stream/decoders/index.js';
import { createMySqlSource } from '../../../src/source/mysql/index.js';
import type { Kafka } from '../../support/index.js';
import type { MariaDb } from '../../support/index.js';

export interface ProducedMessage {
  readonly partition: number;
  readonly value: string;
}

export class CdcProducer {
  readonly sent: ProducedMessage[] = [];
  #lastTs = 0n;

  private constructor(
    readonly pool: Pool,
    readonly kafka: Kafka,
    readonly topic: string,
    readonly partitions: number,
    readonly schema: TableSchema,
  ) {}

  static async create(db: MariaDb, kafka: Kafka, topic: string, partitions: number, dbName: string, table: string): Promise<CdcProducer> {
    await using source = await createMySqlSource({ host: db.host, port: db.port, user: 'root', password: '' });
    const schema = await source.describe(dbName, table);
    return new CdcProducer(db.pool, kafka, topic, partitions, schema);
  }

  /** A strictly increasing clock TSO taken after the commit returned. */
  #commitTs(): bigint {
    let ts = clockTso();
    if (ts <= this.#lastTs) ts = this.#lastTs + 1n;
    this.#lastTs = ts;
    return ts;
  }

  #quoted(name: string): string {
    return `\`${name.replaceAll('`', '``')}\``;
  }

  async read(key: number | string): Promise<RowImage | null> {
    const k = this.schema.key[0]!;
    const [rows] = await this.pool.query({
      sql: `SELECT * FROM ${this.#quoted(this.schema.db)}.${this.#quoted(this.schema.table)} WHERE ${this.#quoted(k)} = ?`,
      values: [key],
      typeCast: (field: any) => field.string(),
    });
    const r = (rows as Record<string, string | null>[])[0];
    if (!r) return null;
    return Object.fromEntries(this.schema.columns.map((c) => [c.name, valueFromText(c.kind, r[c.name] ?? null)]));
  }

  #partitionOf(key: unknown): number {
    let h = 0;
    for (const ch of String(key)) h = (h * 31 + ch.charCodeAt(0)) | 0;
    return Math.abs(h) % this.partitions;
  }

  async send(item: Parameters<typeof encodeCanalJson>[0], key: unknown): Promise<void> {
    const value = encodeCanalJson(item, this.schema);
    const partition = this.#partitionOf(key);
    this.sent.push({ partition, value });
    await this.kafka.produce(this.topic, [{ value, partition }]);
  }

  /** Re-sends messages exactly as before (duplicates / replays at higher offsets). */
  async replay(messages: readonly ProducedMessage[]): Promise<void> {
    await this.kafka.produce(this.topic, messages.map((m) => ({ value: m.value, partition: m.partition })));
  }

  async insert(values: Record<string, unknown>): Promise<void> {
    const cols = Object.keys(values);
    await this.pool.query(
      `INSERT INTO ${this.#quoted(this.schema.db)}.${this.#quoted(this.schema.table)} (${cols.map((c) => this.#quoted(c)).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      cols.map((c) => values[c]),
    );
    const commitTs = this.#commitTs();
    const key = values[this.schema.key[0]!];
    const after = await this.read(key as number);
    await this.send({ kind: 'row', op: 'insert', db: this.schema.db, table: this.schema.table, commitTs, before: null, after }, key);
  }

  async update(key: number, set: Record<string, unknown>): Promise<void> {
    const before = await this.read(key);
    if (!before) return;
    const cols = Object.keys(set);
    await this.pool.query(
      `UPDATE ${this.#quoted(this.schema.db)}.${this.#quoted(this.schema.table)} SET ${cols.map((c) => `${this.#quoted(c)} = ?`).join(', ')} WHERE ${this.#quoted(this.schema.key[0]!)} = ?`,
      [...cols.map((c) => set[c]), key],
    );
    const commitTs = this.#commitTs();
    const newKey = (set[this.schema.key[0]!] as number | undefined) ?? key;
    const after = await this.read(newKey);
    if (newKey !== key) {
      // TiCDC splits a key change into a delete and an insert with the same commitTs.
      await this.send({ kind: 'row', op: 'delete', db: this.schema.db, table: this.schema.table, commitTs, before, after: null }, key);
      await this.send({ kind: 'row', op: 'insert', db: this.schema.db, table: this.schema.table, commitTs, before: null, after }, newKey);
      return;
    }
    await this.send({ kind: 'row', op: 'update', db: this.schema.db, table: this.schema.table, commitTs, before, after }, key);
  }

  async delete(key: number): Promise<void> {
    const before = await this.read(key);
    if (!before) return;
    await this.pool.query(`DELETE FROM ${this.#quoted(this.schema.db)}.${this.#quoted(this.schema.table)} WHERE ${this.#quoted(this.schema.key[0]!)} = ?`, [key]);
    const commitTs = this.#commitTs();
    await this.send({ kind: 'row', op: 'delete', db: this.schema.db, table: this.schema.table, commitTs, before, after: null }, key);
  }

  async ddl(query: string): Promise<void> {
    await this.pool.query(query);
    await this.send({ kind: 'ddl', db: this.schema.db, table: this.schema.table, commitTs: this.#commitTs(), query, ddlType: 'ALTER' } as any, 'ddl');
  }
}
