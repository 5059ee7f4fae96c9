// Turns a run of a channel's messages into what its writer needs: decoded and converted to document operations;
// and analyses the new images a transaction needs. The same code runs on a channel worker thread
// (channel-worker.ts) or, without workers, on the channel's own thread; its results are plain data, so they
// cross threads by structured clone.
import type { StreamItem } from '../core/change.js';
import type { IndexSpec } from '../core/schema.js';
import { parseUtcOffset } from '../core/value.js';
import type { AnalyzerRegistry } from '../engine/analysis/analyzer.js';
import { asTidesearchError } from '../errors/index.js';
import { createDecoder, type Decoder, type DecoderProtocol } from '../stream/decoders/index.js';
import { ChangeOps, tableSchemaOf, type PlainOp } from './change-ops.js';

type DdlItem = Extract<StreamItem, { kind: 'ddl' }>;

/** What a thread needs to decode a channel's messages (plain data). */
export interface PrepareConfig {
  readonly spec: IndexSpec;
  readonly protocol: DecoderProtocol;
  readonly timeZone: string;
}

/** A message's bytes: only its key and value are decoded (decoders read nothing else). */
export interface MessageBytes {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Messages are referred to by their index `m` in the run; each list is in message order. */
export interface PreparedMessages {
  /** The decoder's protocol after this run (`auto` resolves on the first recognised message). */
  readonly protocol: string;
  /** Messages that could not be decoded (dead letters). */
  readonly failed: readonly { readonly m: number; readonly reason: string }[];
  /** Row changes of the indexed table: their operations, or why the change cannot be applied. */
  readonly rows: readonly PreparedRow[];
  /** One entry per ignored item (another table, a message not for us). */
  readonly ignored: readonly number[];
  readonly resolved: readonly { readonly m: number; readonly commitTs: bigint }[];
  readonly ddl: readonly { readonly m: number; readonly item: DdlItem }[];
}

export type PreparedRow = { readonly m: number; readonly commitTs: bigint; readonly ops: PlainOp[] } | { readonly m: number; readonly commitTs: bigint; readonly error: string };

export class MessagePreparer {
  readonly #ops: ChangeOps;
  readonly #decoder: Decoder;

  constructor(config: PrepareConfig, analyzers: AnalyzerRegistry) {
    this.#ops = new ChangeOps(config.spec, analyzers);
    const schema = tableSchemaOf(config.spec);
    this.#decoder = createDecoder(config.protocol, {
      tableSchema: (db, table) => (db.toLowerCase() === schema.db.toLowerCase() && table.toLowerCase() === schema.table.toLowerCase() ? schema : undefined),
      timeZoneOffsetMinutes: parseUtcOffset(config.timeZone),
    });
  }

  /** Loads what the analyzers load on first use (ik reads its dictionary), before the first messages wait for it. */
  warm(): void {
    this.#ops.tokensOf(Object.fromEntries(this.#ops.ftsFieldNames.map((n) => [n, '中文分词 warm-up 1'])));
  }

  /** Rows' full-text texts (row-major, ChangeOps.ftsTexts per row) → their index-mode tokens, likewise. */
  analyse(texts: readonly (string | null)[]): string[] {
    const width = this.#ops.ftsTokenNames.length;
    const out: string[] = [];
    for (let i = 0; i < texts.length; i += width) out.push(...this.#ops.tokensOfTexts(texts.slice(i, i + width)));
    return out;
  }

  get protocol(): string {
    return this.#decoder.protocol;
  }

  /**
   * Decodes `messages` into operations. An update whose full-text texts are those of its before image is
   * marked `sameTexts` (its tokens are not needed unless the index holds other texts).
   */
  prepare(messages: readonly MessageBytes[]): PreparedMessages {
    const failed: { m: number; reason: string }[] = [];
    const rows: PreparedRow[] = [];
    const ignored: number[] = [];
    const resolved: { m: number; commitTs: bigint }[] = [];
    const ddl: { m: number; item: DdlItem }[] = [];
    for (let m = 0; m < messages.length; m++) {
      let items: StreamItem[];
      try {
        items = this.#decoder.decode({ topic: '', partition: 0, offset: '0', key: messages[m]!.key, value: messages[m]!.value, timestampMs: 0 });
      } catch (e) {
        failed.push({ m, reason: asTidesearchError(e).message });
        continue;
      }
      for (const item of items) {
        switch (item.kind) {
          case 'row': {
            if (!this.#ops.matches(item)) {
              ignored.push(m);
              break;
            }
            let ops: PlainOp[];
            try {
              ops = this.#ops.toOps(item);
            } catch (e) {
              rows.push({ m, commitTs: item.commitTs, error: asTidesearchError(e).message });
              break;
            }
            const up = ops[ops.length - 1]!;
            if (item.op === 'update' && item.before && up.kind === 'upsert' && this.#ops.sameFtsTexts(item.before, up.values)) up.sameTexts = true;
            rows.push({ m, commitTs: item.commitTs, ops });
            break;
          }
          case 'resolved':
            resolved.push({ m, commitTs: item.commitTs });
            break;
          case 'ddl':
            ddl.push({ m, item });
            break;
          case 'ignored':
            ignored.push(m);
            break;
        }
      }
    }
    return { protocol: this.#decoder.protocol, failed, rows, ignored, resolved, ddl };
  }
}
