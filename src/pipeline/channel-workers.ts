// The threads that prepare the channels' messages (channel-worker.ts): decoding, conversion and analysis off
// the channels' thread, which then only writes. One pool serves every channel of the server; a run of
// messages goes to the least busy thread, its key and value bytes packed into one transferred buffer.
import { createWorkerGroup, type WorkerSlot } from '../engine/worker-group.js';
import { BULK_YOUNG_GENERATION_MB } from '../engine/heap-guard.js';
import { TidesearchError } from '../errors/index.js';
import type { MessageBytes, PrepareConfig, PreparedMessages } from './channel-prepare.js';

export interface ChannelWorkersOptions {
  /** Threads; default os.availableParallelism(). */
  readonly size?: number;
  readonly userDictPath?: string | undefined;
  readonly stopWordsPath?: string | undefined;
}

export interface ChannelWorkers {
  readonly size: number;
  /** `configKey` names `config` (the worker keeps one decoder per key). */
  prepare(configKey: string, config: PrepareConfig, messages: readonly MessageBytes[]): Promise<PreparedMessages>;
  /** Rows' full-text texts (row-major, as ChangeOps.ftsTexts gives them) → their index-mode tokens, likewise. */
  analyse(configKey: string, config: PrepareConfig, texts: readonly (string | null)[]): Promise<string[]>;
  /** Has every thread set up for `config` (decoder, analyzers and what they load), ahead of its first messages. */
  warm(configKey: string, config: PrepareConfig): void;
  close(): Promise<void>;
}

export type ChannelWorkerInit = Pick<ChannelWorkersOptions, 'userDictPath' | 'stopWordsPath'>;

export type ChannelWorkerRequest =
  | {
      readonly kind: 'prepare';
      readonly id: number;
      readonly configKey: string;
      readonly config: PrepareConfig;
      /** Each message's key then value, concatenated. */
      readonly bytes: Uint8Array;
      /** Per message: key length, value length (-1 for null). */
      readonly lengths: Int32Array;
    }
  | { readonly kind: 'analyse'; readonly id: number; readonly configKey: string; readonly config: PrepareConfig; readonly texts: readonly (string | null)[] };

export type ChannelWorkerResponse =
  | { readonly id: number; readonly prepared: PreparedMessages }
  | { readonly id: number; readonly tokens: string[] }
  | { readonly id: number; readonly error: string };

export function packMessages(messages: readonly MessageBytes[]): { bytes: Uint8Array; lengths: Int32Array } {
  const lengths = new Int32Array(messages.length * 2);
  let total = 0;
  messages.forEach((m, i) => {
    lengths[2 * i] = m.key ? m.key.length : -1;
    lengths[2 * i + 1] = m.value ? m.value.length : -1;
    total += (m.key?.length ?? 0) + (m.value?.length ?? 0);
  });
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const m of messages) {
    if (m.key) at += m.key.copy(bytes, at);
    if (m.value) at += m.value.copy(bytes, at);
  }
  return { bytes, lengths };
}

/** Inverse of packMessages (views into `bytes`, no copies). */
export function unpackMessages(bytes: Uint8Array, lengths: Int32Array): MessageBytes[] {
  const out: MessageBytes[] = [];
  let at = 0;
  const take = (n: number): Buffer | null => {
    if (n < 0) return null;
    const b = Buffer.from(bytes.buffer, bytes.byteOffset + at, n);
    at += n;
    return b;
  };
  for (let i = 0; i < lengths.length; i += 2) {
    const key = take(lengths[i]!);
    out.push({ key, value: take(lengths[i + 1]!) });
  }
  return out;
}

export function createChannelWorkers(options: ChannelWorkersOptions = {}): ChannelWorkers {
  const init: ChannelWorkerInit = { userDictPath: options.userDictPath, stopWordsPath: options.stopWordsPath };
  const group = createWorkerGroup<ChannelWorkerRequest, ChannelWorkerResponse>({
    from: import.meta.url,
    module: 'channel-worker',
    workerData: init,
    size: options.size,
    youngGenerationMb: BULK_YOUNG_GENERATION_MB,
    thread: 'channel worker',
    group: 'the channel worker pool',
  });
  const { size, slots } = group;
  const send = (slot: WorkerSlot | null, make: (id: number) => ChannelWorkerRequest, transfer: ArrayBuffer[]) => group.send(make, transfer, slot ?? undefined);
  const prepareOn = (slot: WorkerSlot | null, configKey: string, config: PrepareConfig, messages: readonly MessageBytes[]): Promise<PreparedMessages> => {
    const { bytes, lengths } = packMessages(messages);
    return send(slot, (id) => ({ kind: 'prepare', id, configKey, config, bytes, lengths }), [bytes.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer]).then((r) => {
      if (!('prepared' in r)) throw new TidesearchError('INTERNAL', 'channel worker answered a prepare job with something else');
      return r.prepared;
    });
  };
  return {
    size,
    prepare: (configKey, config, messages) => prepareOn(null, configKey, config, messages),
    analyse: (configKey, config, texts) =>
      send(null, (id) => ({ kind: 'analyse', id, configKey, config, texts }), []).then((r) => {
        if (!('tokens' in r)) throw new TidesearchError('INTERNAL', 'channel worker answered an analysis job with something else');
        return r.tokens;
      }),
    warm(configKey, config) {
      for (const slot of slots) prepareOn(slot, configKey, config, []).catch(() => {}); // a failure shows on the next job
    },
    close: group.close,
  };
}
