// One transaction of a channel, gathered from the prepared batches it takes: the document operations in
// arrival order, which stream events count and how, and the positions it reaches. Also picks the upserts whose
// tokens the writer will want, so that only those are analysed.
import type { RawMessage, StreamItem, StreamPosition } from '../core/change.js';
import type { PlainOp } from './change-ops.js';
import type { PreparedMessages } from './channel-prepare.js';

/** A fetched batch as the transaction reads it. */
export interface TakenBatch {
  readonly messages: readonly RawMessage[];
  /** Per message: counts in status (first time this channel sees it). */
  readonly counts: readonly boolean[];
  readonly positions: readonly StreamPosition[];
  /** Its jobs' results: [index of the job's first message, result]. */
  readonly results: readonly (readonly [number, PreparedMessages])[];
}

export interface ChannelTransaction {
  readonly ops: PlainOp[];
  /** Per counted row change: the range of its ops (a key change is two) and its commit time. */
  readonly counted: readonly { readonly from: number; readonly to: number; readonly commitTs: bigint }[];
  readonly positions: readonly StreamPosition[];
  /** Counted messages to dead-letter, with why. */
  readonly rejected: readonly { readonly m: RawMessage; readonly reason: string }[];
  readonly ignored: number;
  readonly newestWatermark: bigint | null;
  readonly ddl: readonly Extract<StreamItem, { kind: 'ddl' }>[];
  /** The protocol the decoders named last. */
  readonly protocol: string | null;
  readonly events: number;
}

export function gatherTransaction(batches: readonly TakenBatch[]): ChannelTransaction {
  const ops: PlainOp[] = [];
  const counted: { from: number; to: number; commitTs: bigint }[] = [];
  const positions = new Map<string, StreamPosition>();
  const rejected: { m: RawMessage; reason: string }[] = [];
  const ddl: Extract<StreamItem, { kind: 'ddl' }>[] = [];
  let ignored = 0;
  let newestWatermark: bigint | null = null;
  let protocol: string | null = null;
  let events = 0;
  for (const p of batches) {
    events += p.messages.length;
    for (const pos of p.positions) positions.set(`${pos.topic}-${pos.partition}`, pos);
    for (const [base, r] of p.results) {
      protocol = r.protocol;
      for (const f of r.failed) if (p.counts[base + f.m]) rejected.push({ m: p.messages[base + f.m]!, reason: f.reason });
      for (const m of r.ignored) if (p.counts[base + m]) ignored++;
      for (const w of r.resolved) if (p.counts[base + w.m] && (newestWatermark === null || w.commitTs > newestWatermark)) newestWatermark = w.commitTs;
      for (const d of r.ddl) if (p.counts[base + d.m]) ddl.push(d.item);
      for (const row of r.rows) {
        const counts = p.counts[base + row.m]!;
        if ('error' in row) {
          if (counts) rejected.push({ m: p.messages[base + row.m]!, reason: `row change not applicable: ${row.error}` });
          continue;
        }
        const from = ops.length;
        for (const op of row.ops) ops.push(op);
        if (counts) counted.push({ from, to: ops.length, commitTs: row.commitTs });
      }
    }
  }
  return { ops, counted, positions: [...positions.values()], rejected, ignored, newestWatermark, ddl, protocol, events };
}

/**
 * The upserts whose tokens the writer may ask for: not one that a later op on its key with a version not older
 * supersedes (whenever it would apply, that one applies after it), nor one whose full-text texts its event
 * says are unchanged (the writer keeps the stored tokens, and analyses here should they differ after all).
 */
export function upsertsToAnalyse(ops: readonly PlainOp[]): Extract<PlainOp, { kind: 'upsert' }>[] {
  const out: Extract<PlainOp, { kind: 'upsert' }>[] = [];
  /** Per key, the newest version among the ops after the one looked at. */
  const later = new Map<string, bigint>();
  for (let k = ops.length - 1; k >= 0; k--) {
    const op = ops[k]!;
    const newer = later.get(op.key);
    if (newer === undefined || op.version > newer) later.set(op.key, op.version);
    if (op.kind === 'upsert' && !op.sameTexts && op.tokens === undefined && (newer === undefined || newer < op.version)) out.push(op);
  }
  return out.reverse();
}
