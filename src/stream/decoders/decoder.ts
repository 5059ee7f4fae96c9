// The decoder contract: one Kafka message in, the change items it carries out. One implementation per
// TiCDC protocol; `createDecoder` (index.ts) picks one by name or detects it from the first message.
import type { RawMessage, StreamItem } from '../../core/change.js';
import type { TableSchema } from '../../core/schema.js';
import { TidesearchError } from '../../errors/index.js';

export type ProtocolName = 'canal-json' | 'open-protocol' | 'simple';

export interface Decoder {
  readonly protocol: string;
  /** Throws TidesearchError('DECODE_FAILED') on input it cannot decode; the caller dead-letters the message. */
  decode(m: RawMessage): StreamItem[];
}

export interface DecoderOptions {
  /** The schema of a table this index follows, or undefined: its rows become `ignored` items. */
  readonly tableSchema: (db: string, table: string) => TableSchema | undefined;
  /** UTC offset (minutes east) of the changefeed's time zone: TIMESTAMP/DATETIME texts are in it. */
  readonly timeZoneOffsetMinutes: number;
}

export function decodeFailed(protocol: string, reason: string, cause?: unknown): TidesearchError {
  return new TidesearchError('DECODE_FAILED', `${protocol}: ${reason}`, cause === undefined ? {} : { cause });
}

export function ignoredTable(db: string, table: string): StreamItem {
  return { kind: 'ignored', reason: `table ${db}.${table} is not indexed` };
}
