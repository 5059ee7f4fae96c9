// A consumer process for the kill -9 test: consumes from the positions given in argv and prints, after
// each batch is "applied", each partition's messages and next position, one JSON line per partition.
import { createKafkaChangeStream } from '../../../../src/stream/kafka/index.js';

const [brokers, topic, fromJson] = process.argv.slice(2) as [string, string, string];
const stream = createKafkaChangeStream({ brokers: brokers.split(','), topic, groupId: `g-${topic}`, maxWaitTimeMs: 100 });
await stream.run({
  from: JSON.parse(fromJson),
  reset: 'earliest',
  signal: new AbortController().signal,
  onBatch: async (b) => {
    await new Promise((r) => setTimeout(r, 30)); // applying takes a while: the kill lands mid-stream
    for (const p of b.partitions) {
      const next = (BigInt(p.messages.at(-1)!.offset) + 1n).toString();
      process.stdout.write(`${JSON.stringify({ partition: p.partition, next, values: p.messages.map((m) => m.value?.toString()) })}\n`);
    }
  },
});
