// The only file that touches kafkajs: a standalone (group-less) consumer's four requests — metadata,
// list offsets, fetch, and offset fetch/commit — over kafkajs' Cluster/Broker. kafkajs' public Consumer
// only consumes through a consumer group, whose rebalancing would make a restarted member wait for the
// killed one's session to expire (30–60 s); the index holds its own positions, so we fetch by explicit
// assignment instead. Cluster is internal to kafkajs (pinned 2.2.x): this wrapper is what to revisit on upgrade.
import { createRequire } from 'node:module';
import type { logLevel as LogLevel } from 'kafkajs';

const require = createRequire(import.meta.url);

/** Why a request failed, in the terms the consumer loop acts on. */
export class WireError extends Error {
  constructor(message: string, readonly retriable: boolean, readonly kind: 'offset-out-of-range' | 'other', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WireError';
  }
}

export interface WireMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
}

export interface WirePartitionData {
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: readonly WireMessage[];
}

export interface KafkaWire {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Partition ids of the topic, from fresh metadata; throws (retriable) when the topic does not exist. */
  partitions(topic: string): Promise<number[]>;
  /** Earliest or next-to-be-written offset per partition. */
  listOffsets(topic: string, partitions: readonly number[], which: 'earliest' | 'latest'): Promise<Map<number, string>>;
  /** One fetch per partition leader, in parallel; partitions with nothing new come back with no messages. */
  fetch(topic: string, from: ReadonlyMap<number, string>, maxWaitTimeMs: number): Promise<WirePartitionData[]>;
  /** The group's committed offsets (partitions without one are absent). */
  committed(groupId: string, topic: string, partitions: readonly number[]): Promise<Map<number, string>>;
  /** Commits as a standalone consumer (generation -1, no member id): visibility for group tooling. */
  commit(groupId: string, topic: string, offsets: ReadonlyMap<number, string>): Promise<void>;
}

export interface WireOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

/* Shapes of the kafkajs internals we call (kafkajs ships no types for them). */
interface KjsBroker {
  fetch(r: object): Promise<{ responses: { topicName: string; partitions: { partition: number; errorCode: number; highWatermark: string; messages: KjsMessage[] }[] }[] }>;
  offsetCommit(r: object): Promise<unknown>;
  offsetFetch(r: object): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>;
}
interface KjsMessage { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string; isControlRecord?: boolean }
interface KjsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(o: { nodeId: string | number }): Promise<KjsBroker>;
  findGroupCoordinator(o: { groupId: string }): Promise<KjsBroker>;
  fetchTopicsOffset(t: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

const Cluster = require('kafkajs/src/cluster') as new (o: object) => KjsCluster;
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as { createLogger: (o: object) => unknown; LEVELS: typeof LogLevel };
const defaultSocketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;
const READ_COMMITTED = 1;

export function createKafkaWire(o: WireOptions): KafkaWire {
  const levelName = { [LEVELS.ERROR]: 'error', [LEVELS.WARN]: 'warn', [LEVELS.INFO]: 'info', [LEVELS.DEBUG]: 'debug' } as const;
  const logger = createLogger({
    level: o.log ? LEVELS.WARN : LEVELS.NOTHING,
    logCreator: () => (entry: { level: number; log: { message: string } & Record<string, unknown> }) => {
      const { message, ...extra } = entry.log;
      o.log?.(levelName[entry.level as keyof typeof levelName] ?? 'info', `kafkajs: ${message}`, extra);
    },
  });
  const cluster = new Cluster({
    logger,
    socketFactory: defaultSocketFactory(),
    brokers: [...o.brokers],
    clientId: o.clientId,
    connectionTimeout: o.connectionTimeoutMs ?? 3000,
    requestTimeout: o.requestTimeoutMs ?? 30000,
    enforceRequestTimeout: true,
    // No hidden retries inside kafkajs: failures reach our loop at once, so status can say "retrying".
    retry: { retries: 0 },
    allowAutoTopicCreation: false,
    isolationLevel: READ_COMMITTED,
    metadataMaxAge: 30_000,
  });

  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw toWireError(what, e);
    }
  };

  return {
    connect: () => wrap('connect', () => cluster.connect()),
    disconnect: () => cluster.disconnect().catch(() => {}),
    partitions: (topic) =>
      wrap(`metadata of topic ${topic}`, async () => {
        await cluster.addTargetTopic(topic);
        await cluster.refreshMetadata();
        const ids = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((a, b) => a - b);
        if (ids.length === 0) throw new WireError(`topic ${topic} does not exist (or has no partitions)`, true, 'other');
        return ids;
      }),
    listOffsets: (topic, partitions, which) =>
      wrap(`list ${which} offsets of ${topic}`, async () => {
        const res = await cluster.fetchTopicsOffset([{ topic, partitions: partitions.map((partition) => ({ partition })), fromBeginning: which === 'earliest' }]);
        return new Map(res.flatMap((t) => t.partitions.map((p) => [p.partition, p.offset] as const)));
      }),
    fetch: (topic, from, maxWaitTimeMs) =>
      wrap(`fetch from ${topic}`, async () => {
        const byLeader = cluster.findLeaderForPartitions(topic, [...from.keys()]);
        const perLeader = await Promise.all(
          Object.entries(byLeader).map(async ([nodeId, partitions]) => {
            const broker = await cluster.findBroker({ nodeId });
            const res = await broker.fetch({
              replicaId: -1,
              isolationLevel: READ_COMMITTED,
              maxWaitTime: maxWaitTimeMs,
              minBytes: 1,
              maxBytes: 10 * 1024 * 1024,
              topics: [{ topic, partitions: partitions.map((partition) => ({ partition, fetchOffset: from.get(partition)!, maxBytes: 1024 * 1024 })) }],
            });
            return res.responses.flatMap((r) => r.partitions);
          }),
        );
        return perLeader.flat().map((p) => {
          const start = BigInt(from.get(p.partition) ?? '0');
          // A fetch returns whole record batches: drop records before the requested offset and control records.
          const messages = p.messages
            .filter((m) => !m.isControlRecord && BigInt(m.offset) >= start)
            .map((m) => ({ offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp }));
          return { partition: p.partition, highWatermark: p.highWatermark, messages };
        });
      }),
    committed: (groupId, topic, partitions) =>
      wrap(`committed offsets of group ${groupId}`, async () => {
        const coordinator = await cluster.findGroupCoordinator({ groupId });
        const res = await coordinator.offsetFetch({ groupId, topics: [{ topic, partitions: partitions.map((partition) => ({ partition })) }] });
        const out = new Map<number, string>();
        for (const t of res.responses) for (const p of t.partitions) if (BigInt(p.offset) >= 0n) out.set(p.partition, p.offset);
        return out;
      }),
    commit: (groupId, topic, offsets) =>
      wrap(`commit offsets of group ${groupId}`, async () => {
        if (offsets.size === 0) return;
        const coordinator = await cluster.findGroupCoordinator({ groupId });
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [{ topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })) }],
        });
      }),
  };
}

function toWireError(what: string, e: unknown): WireError {
  if (e instanceof WireError) return e;
  const err = e as { name?: string; message?: string; retriable?: boolean };
  const message = `${what}: ${err.message ?? String(e)}`;
  if (err.name === 'KafkaJSOffsetOutOfRange') return new WireError(message, false, 'offset-out-of-range', { cause: e });
  // Connection, timeout and leadership errors are worth another try; kafkajs marks most of them retriable,
  // but "number of retries exceeded"/"connection closed" wrappers are not, though they are transient here.
  const transient = err.retriable === true || /Connection|ECONNREFUSED|ECONNRESET|timeout|Timeout|coordinator|leader|metadata|not available/i.test(`${err.name} ${err.message}`);
  return new WireError(message, transient, 'other', { cause: e });
}
