// Kafka-protocol broker for tests: librdkafka's mock cluster (kmock.c) in a child process, plus a
// kafkajs producer to feed it. Traps (see TEST-SERVICES.md): each partition keeps only ~5 MiB, so
// use 8+ partitions and small volumes; first group join ~3 s; a fetch is answered only when the
// consumer's maxWaitTimeInMs runs out (use ~100 ms in tests); no idempotent/transactional producer.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka as KafkaJs, logLevel, Partitioners, type KafkaConfig, type Producer } from 'kafkajs';
import { armReaper } from './reaper.js';
import { cacheDir, repoRoot } from './repo-root.js';

export interface KafkaOptions {
  /** Number of mock brokers (ids 1..n); default 1. */
  readonly brokerCount?: number;
  /** Topics to create before returning: name → partition count. */
  readonly topics?: Readonly<Record<string, number>>;
}

export interface KafkaMessageInput {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly partition?: number;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
}

export interface Kafka extends AsyncDisposable {
  /** Comma-separated host:port list. */
  readonly brokers: string;
  /** The same, split, as kafkajs' `brokers` option wants it. */
  readonly brokerList: readonly string[];
  readonly pid: number;
  /** Creates a topic on the mock (kafkajs' CreateTopics is not supported by it). */
  createTopic(name: string, partitions?: number): Promise<void>;
  /** Sends messages with a shared non-idempotent kafkajs producer (acks=all). */
  produce(topic: string, messages: readonly KafkaMessageInput[]): Promise<void>;
  /** A kafkajs client for this cluster, logging off; the caller disconnects what it creates. */
  client(config?: Partial<KafkaConfig>): KafkaJs;
  /** Sends a raw kmock command (`down 1`, `up 1`, `rtt 1 200`, `topic_error t 3`); resolves with the reply. */
  command(line: string): Promise<string>;
  /** Disconnects the producer and kills exactly this kmock. Idempotent. */
  stop(): Promise<void>;
}

export async function startKafka(opts: KafkaOptions = {}): Promise<Kafka> {
  const binary = ensureKmock();
  const child = spawn(binary, [String(opts.brokerCount ?? 1)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${binary}`);
  // kmock also exits on stdin EOF, so it dies with us even without the reaper; the reaper covers SIGSTOP-like hangs.
  const reaper = armReaper(pid);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  // Every command gets exactly one reply line, in order.
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  let exited: Error | undefined;
  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code, signal) => {
    exited = new Error(`kmock exited (${code ?? signal}): ${stderr}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });

  const brokers = (await firstLine).trim();
  const brokerList = brokers.split(',');

  const command = (line: string): Promise<string> => {
    if (exited) return Promise.reject(exited);
    return new Promise<string>((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin.write(`${line}\n`);
    });
  };

  const client = (config: Partial<KafkaConfig> = {}): KafkaJs =>
    new KafkaJs({ clientId: 'tidesearch-test', logLevel: logLevel.NOTHING, ...config, brokers: [...brokerList] });

  let producer: Promise<Producer> | undefined;
  const getProducer = (): Promise<Producer> => {
    producer ??= (async () => {
      const p = client().producer({
        idempotent: false,
        allowAutoTopicCreation: true,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await p.connect();
      return p;
    })();
    return producer;
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (producer) await (await producer.catch(() => undefined))?.disconnect().catch(() => {});
      const gone = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.kill('SIGTERM');
      await gone;
      reaper.disarm();
      lines.close();
    })();
    return stopped;
  };

  const kafka: Kafka = {
    brokers,
    brokerList,
    pid,
    async createTopic(name: string, partitions = 8): Promise<void> {
      const reply = await command(`topic ${name} ${partitions}`);
      if (!reply.startsWith('ok ')) throw new Error(`kmock could not create topic ${name}: ${reply}`);
    },
    async produce(topic: string, messages: readonly KafkaMessageInput[]): Promise<void> {
      const p = await getProducer();
      await p.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({
          key: m.key ?? null,
          value: m.value,
          ...(m.partition !== undefined ? { partition: m.partition } : {}),
          ...(m.headers !== undefined ? { headers: { ...m.headers } } : {}),
        })),
      });
    },
    client,
    command,
    stop,
    [Symbol.asyncDispose]: stop,
  };
  try {
    for (const [name, partitions] of Object.entries(opts.topics ?? {})) await kafka.createTopic(name, partitions);
  } catch (err) {
    await stop();
    throw err;
  }
  return kafka;
}

/** Compiles kmock.c into .cache/kmock when missing or older than the source; atomic for parallel tests. */
function ensureKmock(): string {
  const source = join(repoRoot, 'test', 'support', 'kmock.c');
  const binary = join(cacheDir(), 'kmock');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  const staging = `${binary}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', ['-O2', '-o', staging, source, '-lrdkafka'], { stdio: ['ignore', 'pipe', 'pipe'] });
    renameSync(staging, binary);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`could not compile ${source} (needs gcc and librdkafka-dev): ${stderr || String(err)}`);
  } finally {
    rmSync(staging, { force: true });
  }
  return binary;
}
