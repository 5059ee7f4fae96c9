// TiCDC's simple protocol (JSON encoding): DML messages with data/old maps of text values (TIMESTAMP as
// {location, value}, binary as base64, ENUM index, SET bitmask), DDL messages with the SQL, WATERMARK
// (→ resolved) and BOOTSTRAP (table schemas for consumers that have none: ignored, we read the source).
import type { RawMessage, RowOp, StreamItem } from '../../core/change.js';
import type { TableSchema } from '../../core/schema.js';
import { parseTso, type Tso } from '../../core/tso.js';
import type { IndexValue, RowImage } from '../../core/value.js';
import { SchemaColumns, valueFromProtocolText } from './column-values.js';
import { ddlTypeOfQuery } from './ddl-type.js';
import { decodeFailed, ignoredTable, type Decoder, type DecoderOptions } from './decoder.js';
import { parseJsonLossless } from './lossless-json.js';

const PROTOCOL = 'simple';
const DML: Readonly<Record<string, RowOp>> = { INSERT: 'insert', UPDATE: 'update', DELETE: 'delete' };
const DDL = new Set(['CREATE', 'RENAME', 'CINDEX', 'DINDEX', 'ERASE', 'TRUNCATE', 'ALTER', 'QUERY', 'DDL']);

type SimpleValue = string | number | { readonly value?: string } | null;
type SimpleRow = Readonly<Record<string, SimpleValue>>;

interface SimpleMessage {
  readonly version?: number;
  readonly type?: string;
  readonly database?: string;
  readonly table?: string;
  readonly commitTs?: string | number;
  readonly sql?: string;
  readonly data?: SimpleRow;
  readonly old?: SimpleRow;
  readonly handleKeyOnly?: boolean;
  readonly claimCheckLocation?: string;
  readonly tableSchema?: { readonly schema?: string; readonly table?: string };
  readonly preTableSchema?: { readonly schema?: string; readonly table?: string };
}

export class SimpleDecoder implements Decoder {
  readonly protocol = PROTOCOL;
  readonly #o: DecoderOptions;
  readonly #columns = new SchemaColumns();

  constructor(o: DecoderOptions) {
    this.#o = o;
  }

  decode(m: RawMessage): StreamItem[] {
    const msg = parseSimple(m);
    const type = msg.type ?? '';
    if (type === 'WATERMARK') return [{ kind: 'resolved', commitTs: tso(msg.commitTs) }];
    if (type === 'BOOTSTRAP') return [{ kind: 'ignored', reason: `bootstrap message for ${msg.tableSchema?.schema ?? '?'}.${msg.tableSchema?.table ?? '?'}` }];
    if (DDL.has(type)) {
      const target = msg.tableSchema ?? msg.preTableSchema;
      const query = msg.sql ?? '';
      return [{ kind: 'ddl', db: target?.schema ?? msg.database ?? '', table: target?.table ?? msg.table ?? '', commitTs: tso(msg.commitTs), query, ddlType: ddlTypeOfQuery(query, type) }];
    }
    const op = DML[type];
    if (op === undefined) throw decodeFailed(PROTOCOL, `unknown message type ${JSON.stringify(msg.type)}`);
    const db = msg.database ?? '';
    const table = msg.table ?? '';
    const schema = this.#o.tableSchema(db, table);
    if (!schema) return [ignoredTable(db, table)];
    const commitTs = tso(msg.commitTs);
    if (msg.claimCheckLocation !== undefined) {
      throw decodeFailed(PROTOCOL, `claim-check message: the row is stored at ${msg.claimCheckLocation} (external storage is not read); raise max-message-bytes or disable claim-check`);
    }
    if (msg.handleKeyOnly === true && op !== 'delete') {
      throw decodeFailed(PROTOCOL, `handle-key-only ${op} of ${db}.${table}: the row must be read from upstream TiDB at commitTs ${commitTs}; raise max-message-bytes or use claim-check`);
    }
    return [this.#row(op, schema, commitTs, msg)];
  }

  #row(op: RowOp, schema: TableSchema, commitTs: Tso, msg: SimpleMessage): StreamItem {
    const base = { kind: 'row', op, db: schema.db, table: schema.table, commitTs } as const;
    const need = (r: SimpleRow | undefined, field: string): SimpleRow => {
      if (r === undefined || r === null || typeof r !== 'object') throw decodeFailed(PROTOCOL, `${op} of ${schema.db}.${schema.table} has no "${field}"`);
      return r;
    };
    if (op === 'insert') return { ...base, before: null, after: this.#image(schema, need(msg.data, 'data')) };
    if (op === 'delete') return { ...base, before: this.#image(schema, need(msg.old, 'old')), after: null };
    const after = this.#image(schema, need(msg.data, 'data'));
    return { ...base, before: { ...after, ...this.#image(schema, need(msg.old, 'old')) }, after };
  }

  #image(schema: TableSchema, row: SimpleRow): RowImage {
    const columns = this.#columns.of(schema);
    const out: Record<string, IndexValue> = {};
    for (const name in row) {
      const col = columns.get(name);
      if (!col) continue;
      try {
        out[name] = valueFromProtocolText(col, textOf(row[name] ?? null), this.#o.timeZoneOffsetMinutes, 'base64');
      } catch (e) {
        throw decodeFailed(PROTOCOL, `column ${name} of ${schema.db}.${schema.table}: ${(e as Error).message}`, e);
      }
    }
    return out;
  }
}

/** TIMESTAMP comes as {location, value}; the value is in the changefeed's time zone (our configured offset). */
function textOf(v: SimpleValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object' && typeof v.value === 'string') return v.value;
  throw new TypeError(`unexpected value ${JSON.stringify(v)}`);
}

function parseSimple(m: RawMessage): SimpleMessage {
  if (m.value === null || m.value.length === 0) throw decodeFailed(PROTOCOL, 'message has no value');
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(m.value.toString('utf8'));
  } catch (e) {
    throw decodeFailed(PROTOCOL, `value is not JSON (only the JSON encoding of the simple protocol is supported): ${(e as Error).message}`, e);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw decodeFailed(PROTOCOL, 'value is not a JSON object');
  return parsed as SimpleMessage;
}

function tso(v: string | number | undefined): Tso {
  if (v === undefined) throw decodeFailed(PROTOCOL, 'message has no commitTs');
  try {
    const ts = parseTso(v);
    if (ts < 0n) throw new TypeError(`negative TSO ${ts}`);
    return ts;
  } catch (e) {
    throw decodeFailed(PROTOCOL, `commitTs: ${(e as Error).message}`, e);
  }
}
