// The writer a channel commits through: its generation's GenerationWriter, on a thread of its own
// (channel-writer-thread.ts; what the server uses) or on the calling thread (tests and tools). On its own thread
// a transaction of thousands of changes (0.4-1 s on a 1M-row table) no longer holds the server's event loop,
// which answers searches, status and admin calls meanwhile, and the channel gathers its next transaction
// while this one is written.
import type { StreamPosition } from '../core/change.js';
import type { IndexSpec } from '../core/schema.js';
import type { ApplyResult, GenerationWriter } from '../engine/store/writer.js';
import { createWorkerGroup } from '../engine/worker-group.js';
import { BULK_YOUNG_GENERATION_MB } from '../engine/heap-guard.js';
import { TidesearchError } from '../errors/index.js';
import type { ChangeOps, PlainOp } from './change-ops.js';
import { versionRule } from './version-rule.js';

export interface ChannelWriter {
  /** Where the generation's stream positions stand: read at open, then as each commit left them. */
  positions(): StreamPosition[];
  /**
   * Applies `ops` in order under the generation's version rule (version-rule.ts), and records `positions`, in
   * one transaction. An upsert without tokens is analysed by the writer if it needs them. The operations are
   * taken when the call returns (copied to the writer's thread, or written): the caller may let go of them.
   * Calls may overlap: each is committed after those called before it. Once one fails, every later one is
   * refused without writing anything (its positions would count the failed transaction's events as written).
   */
  apply(ops: readonly PlainOp[], positions: readonly StreamPosition[]): Promise<ApplyResult>;
  /** GenerationWriter.makeDurable: a catch-up's generation commits durably from now on, everything before on disk. */
  makeDurable(): Promise<void>;
  docCount(): Promise<number>;
  close(): Promise<void>;
}

export interface WriterThreadOptions {
  /** false: a catch-up's generation, written without journal or fsync until makeDurable (writer.ts). */
  readonly durable?: boolean;
  /** The analyzers' dictionaries, for the rare upsert that reaches the writer without its tokens. */
  readonly userDictPath?: string | undefined;
  readonly stopWordsPath?: string | undefined;
}

export type WriterThreadRequest =
  | ({ readonly kind: 'open'; readonly id: number; readonly file: string; readonly spec: IndexSpec } & WriterThreadOptions)
  | { readonly kind: 'apply'; readonly id: number; readonly ops: readonly PlainOp[]; readonly positions: readonly StreamPosition[] }
  | { readonly kind: 'makeDurable' | 'docCount' | 'close'; readonly id: number };

export type WriterThreadResponse =
  | { readonly id: number; readonly opened: { readonly positions: StreamPosition[] } }
  | { readonly id: number; readonly applied: number; readonly skipped: number; readonly outcome: Uint8Array; readonly positions: StreamPosition[] }
  | { readonly id: number; readonly docCount: number }
  | { readonly id: number; readonly done: true }
  | { readonly id: number; readonly error: string };

/** A writer on the calling thread: `ops` analyses an upsert that comes without tokens. */
export function writerOnThisThread(writer: GenerationWriter, ops: ChangeOps): ChannelWriter {
  const rule = versionRule(writer.snapshotTs());
  let failed: string | undefined;
  return {
    positions: () => writer.positions(),
    async apply(plain, positions) {
      if (failed !== undefined) throw new TidesearchError('INTERNAL', `not written: an earlier transaction of this writer failed (${failed})`);
      try {
        return writer.apply(
          plain.map((op) => ops.withTokens(op)),
          positions,
          rule,
        );
      } catch (e) {
        failed = e instanceof Error ? e.message : String(e);
        throw e;
      }
    },
    makeDurable: async () => writer.makeDurable(),
    docCount: async () => writer.docCount(),
    close: async () => writer.close(),
  };
}

/**
 * Opens the generation `file` on a new writer thread. The thread ends with close(); should it fail or die,
 * the call in hand and every later one reject with the reason (the channel then stops with it).
 */
export async function openWriterThread(file: string, spec: IndexSpec, options: WriterThreadOptions = {}): Promise<ChannelWriter> {
  const group = createWorkerGroup<WriterThreadRequest, WriterThreadResponse>({
    from: import.meta.url,
    module: 'channel-writer-thread',
    workerData: null,
    size: 1,
    youngGenerationMb: BULK_YOUNG_GENERATION_MB,
    thread: `the writer thread of ${file}`,
    group: `the writer thread of ${file}`,
  });
  const ask = async <K extends keyof Answers>(want: K, make: (id: number) => WriterThreadRequest, transfer: ArrayBuffer[] = []): Promise<Answers[K]> => {
    const r = await group.send(make, transfer);
    if (!(want in r)) throw new TidesearchError('INTERNAL', `the writer thread of ${file} answered with something else than ${want}`);
    return r as Answers[K];
  };
  let opened: Answers['opened'];
  try {
    opened = await ask('opened', (id) => ({ kind: 'open', id, file, spec, ...options }));
  } catch (e) {
    await group.close();
    throw e;
  }
  let positions = opened.opened.positions;
  let closed = false;
  return {
    positions: () => positions,
    async apply(ops, pos) {
      const r = await ask('applied', (id) => ({ kind: 'apply', id, ops, positions: pos }));
      positions = r.positions;
      return { applied: r.applied, skipped: r.skipped, outcome: r.outcome };
    },
    makeDurable: async () => void (await ask('done', (id) => ({ kind: 'makeDurable', id }))),
    docCount: async () => (await ask('docCount', (id) => ({ kind: 'docCount', id }))).docCount,
    async close() {
      if (closed) return;
      closed = true;
      // A thread that failed or died has no file open any more: closing it is then only ending the group.
      await ask('done', (id) => ({ kind: 'close', id })).catch(() => {});
      await group.close();
    },
  };
}

type Answers = {
  opened: Extract<WriterThreadResponse, { opened: unknown }>;
  applied: Extract<WriterThreadResponse, { applied: number }>;
  docCount: Extract<WriterThreadResponse, { docCount: number }>;
  done: Extract<WriterThreadResponse, { done: true }>;
};
