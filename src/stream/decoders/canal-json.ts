// canal-json with TiCDC's TiDB extension: one JSON object per message carrying rows (data/old arrays),
// a DDL (isDdl) or a watermark (type TIDB_WATERMARK). Every value is text; binary is ISO-8859-1 text,
// ENUM an index and SET a bitmask. `_tidb.commitTs` is required: without it a change cannot be versioned.
import type { RawMessage, RowOp, StreamItem } from '../../core/change.js';
import type { TableSchema } from '../../core/schema.js';
import { parseTso, type Tso } from '../../core/tso.js';
import type { IndexValue, RowImage } from '../../core/value.js';
import { DatetimeCache, SchemaColumns, valueFromProtocolText } from './column-values.js';
import { ddlTypeOfQuery } from './ddl-type.js';
import { decodeFailed, ignoredTable, type Decoder, type DecoderOptions } from './decoder.js';
import { parseJsonExactKeys } from './lossless-json.js';

const PROTOCOL = 'canal-json';
/** The only numbers of a canal-json message that exceed 2^53 (column values are all text). */
const TSO_KEYS = ['commitTs', 'watermarkTs'] as const;
const OPS: Readonly<Record<string, RowOp>> = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete' };

type TextRow = Readonly<Record<string, string | null>>;

interface CanalMessage {
  readonly database?: string;
  readonly table?: string;
  readonly isDdl?: boolean;
  readonly type?: string;
  readonly sql?: string;
  readonly data?: readonly TextRow[] | null;
  readonly old?: readonly TextRow[] | null;
  readonly _tidb?: {
    readonly commitTs?: string | number;
    readonly watermarkTs?: string | number;
    readonly onlyHandleKey?: boolean;
    readonly claimCheckLocation?: string;
  };
}

export class CanalJsonDecoder implements Decoder {
  readonly protocol = PROTOCOL;
  readonly #o: DecoderOptions;
  readonly #columns = new SchemaColumns();
  readonly #dates: DatetimeCache;

  constructor(o: DecoderOptions) {
    this.#o = o;
    this.#dates = new DatetimeCache(o.timeZoneOffsetMinutes);
  }

  decode(m: RawMessage): StreamItem[] {
    const msg = parseCanal(m);
    const tidb = msg._tidb;
    if (msg.type === 'TIDB_WATERMARK') return [{ kind: 'resolved', commitTs: tso(tidb?.watermarkTs, '_tidb.watermarkTs') }];
    const db = msg.database ?? '';
    const table = msg.table ?? '';
    if (msg.isDdl === true) {
      const query = msg.sql ?? '';
      return [{ kind: 'ddl', db, table, commitTs: tso(tidb?.commitTs, '_tidb.commitTs'), query, ddlType: ddlTypeOfQuery(query, msg.type ?? 'QUERY') }];
    }
    const schema = this.#o.tableSchema(db, table);
    if (!schema) return [ignoredTable(db, table)];
    const op = OPS[msg.type ?? ''];
    if (op === undefined) throw decodeFailed(PROTOCOL, `unknown message type ${JSON.stringify(msg.type)} for ${db}.${table}`);
    const commitTs = tso(tidb?.commitTs, '_tidb.commitTs');
    if (tidb?.claimCheckLocation !== undefined) {
      throw decodeFailed(PROTOCOL, `claim-check message: the row is stored at ${tidb.claimCheckLocation} (external storage is not read); raise max-message-bytes or disable large-message-handle claim-check`);
    }
    if (!Array.isArray(msg.data) || msg.data.length === 0) throw decodeFailed(PROTOCOL, `${op} of ${db}.${table} has no data rows`);
    if (tidb?.onlyHandleKey === true && op !== 'delete') {
      throw decodeFailed(PROTOCOL, `handle-key-only ${op} of ${db}.${table}: the message holds only the key, the row must be read from upstream TiDB at commitTs ${commitTs}; raise max-message-bytes or use claim-check`);
    }
    return msg.data.map((row, i) => this.#row(op, schema, commitTs, row, msg.old?.[i] ?? null));
  }

  #row(op: RowOp, schema: TableSchema, commitTs: Tso, data: TextRow, old: TextRow | null): StreamItem {
    const image = this.#image(schema, data);
    const { db, table } = schema;
    if (op === 'insert') return { kind: 'row', op, db, table, commitTs, before: null, after: image };
    if (op === 'delete') return { kind: 'row', op, db, table, commitTs, before: image, after: null };
    // `old` may hold only the changed columns' previous values: the before image is data overlaid with old.
    // A column whose old text equals its new text has the value already converted for the new image.
    const before = old === null ? image : { ...image, ...this.#image(schema, old, data) };
    return { kind: 'row', op, db, table, commitTs, before, after: image };
  }

  /** `same`: a row whose equal texts are already converted in `image` (skipped here, the caller overlays). */
  #image(schema: TableSchema, row: TextRow, same?: TextRow): RowImage {
    if (row === null || typeof row !== 'object') throw decodeFailed(PROTOCOL, `row of ${schema.db}.${schema.table} is not an object`);
    const columns = this.#columns.of(schema);
    const out: Record<string, IndexValue> = {};
    for (const name in row) {
      const col = columns.get(name);
      if (!col) continue; // a column the table schema does not know (e.g. added later): not indexed
      const text = row[name];
      if (same !== undefined && text === same[name]) continue;
      if (text !== null && typeof text !== 'string') throw decodeFailed(PROTOCOL, `column ${name} of ${schema.db}.${schema.table}: expected text, got ${typeof text}`);
      try {
        out[name] = text !== null && col.column.kind === 'datetime' ? this.#dates.get(text) : valueFromProtocolText(col, text ?? null, this.#o.timeZoneOffsetMinutes, 'latin1');
      } catch (e) {
        throw decodeFailed(PROTOCOL, `column ${name} of ${schema.db}.${schema.table}: ${(e as Error).message}`, e);
      }
    }
    return out;
  }
}

function parseCanal(m: RawMessage): CanalMessage {
  if (m.value === null || m.value.length === 0) throw decodeFailed(PROTOCOL, 'message has no value');
  let parsed: unknown;
  try {
    parsed = parseJsonExactKeys(m.value.toString('utf8'), TSO_KEYS);
  } catch (e) {
    throw decodeFailed(PROTOCOL, `value is not JSON: ${(e as Error).message}`, e);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw decodeFailed(PROTOCOL, 'value is not a JSON object');
  return parsed as CanalMessage;
}

function tso(v: string | number | undefined, field: string): Tso {
  if (v === undefined) throw decodeFailed(PROTOCOL, `no ${field}: create the changefeed with enable-tidb-extension=true so each change carries its commit TSO`);
  try {
    const ts = parseTso(v);
    if (ts < 0n) throw new TypeError(`negative TSO ${ts}`);
    return ts;
  } catch (e) {
    throw decodeFailed(PROTOCOL, `${field}: ${(e as Error).message}`, e);
  }
}
