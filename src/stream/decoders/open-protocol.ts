// TiCDC Open Protocol: binary framing. Key = uint64 BE version (1) then N × (uint64 BE length + key JSON);
// value = N × (uint64 BE length + value JSON), one per row/DDL key (resolved keys carry an empty one).
// Values keep MySQL type codes and column flags; see open-value.ts for how each becomes canonical.
import type { RawMessage, StreamItem } from '../../core/change.js';
import type { TableSchema } from '../../core/schema.js';
import { parseTso, type Tso } from '../../core/tso.js';
import type { IndexValue, RowImage } from '../../core/value.js';
import { SchemaColumns } from './column-values.js';
import { ddlTypeOfQuery } from './ddl-type.js';
import { decodeFailed, ignoredTable, type Decoder, type DecoderOptions } from './decoder.js';
import { parseJsonLossless } from './lossless-json.js';
import { openColumnValue, type OpenColumn } from './open-value.js';

const PROTOCOL = 'open-protocol';
const BATCH_VERSION = 1n;
const KEY_ROW = 1;
const KEY_DDL = 2;
const KEY_RESOLVED = 3;

interface OpenKey {
  readonly ts?: string | number;
  readonly scm?: string;
  readonly tbl?: string;
  readonly t?: number;
  /** large-message handle-key-only: only key columns are present. */
  readonly ohk?: boolean;
  /** large-message claim-check: the event lives in external storage. */
  readonly ccl?: string;
}

type OpenColumns = Readonly<Record<string, OpenColumn>>;
interface OpenRow { readonly u?: OpenColumns; readonly p?: OpenColumns; readonly d?: OpenColumns }
interface OpenDdl { readonly q?: string; readonly t?: number }

/** True when the key starts with the open protocol's 8-byte version header. */
export function looksLikeOpenProtocol(key: Buffer | null): boolean {
  return key !== null && key.length >= 16 && key.readBigUInt64BE(0) === BATCH_VERSION;
}

export class OpenProtocolDecoder implements Decoder {
  readonly protocol = PROTOCOL;
  readonly #o: DecoderOptions;
  readonly #columns = new SchemaColumns();

  constructor(o: DecoderOptions) {
    this.#o = o;
  }

  decode(m: RawMessage): StreamItem[] {
    if (m.key === null || m.key.length < 8) throw decodeFailed(PROTOCOL, 'message key is missing or shorter than the 8-byte version header');
    const version = m.key.readBigUInt64BE(0);
    if (version !== BATCH_VERSION) throw decodeFailed(PROTOCOL, `unsupported batch version ${version} in the message key (expected 1)`);
    const keys = new Frames(m.key, 8, 'key');
    const values = new Frames(m.value ?? Buffer.alloc(0), 0, 'value');
    const items: StreamItem[] = [];
    while (keys.hasMore()) {
      const key = parseObject<OpenKey>(keys.next(), 'key');
      const commitTs = tsoOf(key.ts);
      if (key.t === KEY_RESOLVED) {
        if (values.hasMore()) values.next(); // its empty value entry
        items.push({ kind: 'resolved', commitTs });
      } else if (key.t === KEY_DDL) {
        const ddl = parseObject<OpenDdl>(values.next(), 'DDL value');
        const query = ddl.q ?? '';
        items.push({ kind: 'ddl', db: key.scm ?? '', table: key.tbl ?? '', commitTs, query, ddlType: ddlTypeOfQuery(query, `action ${ddl.t ?? '?'}`) });
      } else if (key.t === KEY_ROW) {
        const raw = values.next();
        items.push(this.#row(key, commitTs, raw));
      } else {
        throw decodeFailed(PROTOCOL, `unknown key type ${JSON.stringify(key.t)}`);
      }
    }
    if (values.hasMore()) throw decodeFailed(PROTOCOL, 'the value holds more entries than the key');
    if (items.length === 0) throw decodeFailed(PROTOCOL, 'the key holds no events');
    return items;
  }

  #row(key: OpenKey, commitTs: Tso, raw: Buffer): StreamItem {
    const db = key.scm ?? '';
    const table = key.tbl ?? '';
    const schema = this.#o.tableSchema(db, table);
    if (!schema) return ignoredTable(db, table); // the value is not even parsed: cheap for busy topics
    if (key.ccl !== undefined) {
      throw decodeFailed(PROTOCOL, `claim-check message: the row is stored at ${key.ccl} (external storage is not read); raise max-message-bytes or disable claim-check`);
    }
    const row = parseObject<OpenRow>(raw, 'row value');
    const base = { kind: 'row', db: schema.db, table: schema.table, commitTs } as const;
    if (row.d !== undefined) return { ...base, op: 'delete', before: this.#image(schema, row.d), after: null };
    if (row.u === undefined) throw decodeFailed(PROTOCOL, `row value for ${db}.${table} has neither "u" nor "d"`);
    if (key.ohk === true) {
      throw decodeFailed(PROTOCOL, `handle-key-only ${row.p ? 'update' : 'insert'} of ${db}.${table}: the row must be read from upstream TiDB at commitTs ${commitTs}; raise max-message-bytes or use claim-check`);
    }
    const after = this.#image(schema, row.u);
    // Without "p" (output-old-value=false) an update looks like an insert; the applier upserts either way.
    if (row.p === undefined) return { ...base, op: 'insert', before: null, after };
    // "p" may hold only the columns that changed (only-output-updated-columns): overlay it on the new image.
    return { ...base, op: 'update', before: { ...after, ...this.#image(schema, row.p) }, after };
  }

  #image(schema: TableSchema, cols: OpenColumns): RowImage {
    const columns = this.#columns.of(schema);
    const out: Record<string, IndexValue> = {};
    for (const name in cols) {
      const col = columns.get(name);
      if (!col) continue;
      const raw = cols[name];
      if (raw === null || typeof raw !== 'object') throw decodeFailed(PROTOCOL, `column ${name} of ${schema.db}.${schema.table} is not an object`);
      try {
        out[name] = openColumnValue(col, raw, this.#o.timeZoneOffsetMinutes);
      } catch (e) {
        throw decodeFailed(PROTOCOL, `column ${name} of ${schema.db}.${schema.table}: ${(e as Error).message}`, e);
      }
    }
    return out;
  }
}

/** Length-prefixed entries (uint64 BE length + bytes) read one after another, bounds-checked. */
class Frames {
  #at: number;
  constructor(private readonly buf: Buffer, start: number, private readonly what: string) {
    this.#at = start;
  }
  hasMore(): boolean {
    return this.#at < this.buf.length;
  }
  next(): Buffer {
    if (this.#at + 8 > this.buf.length) throw decodeFailed(PROTOCOL, `${this.what} ends inside a length prefix at byte ${this.#at}`);
    const len = this.buf.readBigUInt64BE(this.#at);
    const start = this.#at + 8;
    if (len > BigInt(this.buf.length - start)) throw decodeFailed(PROTOCOL, `${this.what} entry at byte ${this.#at} claims ${len} bytes but ${this.buf.length - start} remain`);
    this.#at = start + Number(len);
    return this.buf.subarray(start, this.#at);
  }
}

function parseObject<T>(b: Buffer, what: string): T {
  let v: unknown;
  try {
    v = parseJsonLossless(b.toString('utf8'));
  } catch (e) {
    throw decodeFailed(PROTOCOL, `${what} is not JSON: ${(e as Error).message}`, e);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw decodeFailed(PROTOCOL, `${what} is not a JSON object`);
  return v as T;
}

function tsoOf(v: string | number | undefined): Tso {
  if (v === undefined) throw decodeFailed(PROTOCOL, 'key has no "ts"');
  try {
    const ts = parseTso(v);
    if (ts < 0n) throw new TypeError(`negative TSO ${ts}`);
    return ts;
  } catch (e) {
    throw decodeFailed(PROTOCOL, `key "ts": ${(e as Error).message}`, e);
  }
}
