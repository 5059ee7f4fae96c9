// A consumer process for the kill -9 test: consumes from the positions given in argv and prints, after
// each batch is "applied", the batch's messages and the next position, one JSON line each.
import { createKafkaChangeStream } from '../../../../src/stream/kafka/index.js';

const [brokers, topic, fromJson] = process.argv.slice(2) as [string, string, string];
const stream = createKafkaChangeStream({ brokers: brokers.split(','), topic, groupId: `g-${topic}`, maxWaitTimeMs: 100 });
await stream.run({
  from: JSON.parse(fromJson),
  reset: 'earliest',
  signal: new AbortController().signal,
  onBatch: async (b) => {
    await new Promise((r) => setTimeout(r, 30)); // applying takes a while: the kill lands mid-stream
    const next = (BigInt(b.messages.at(-1)!.offset) + 1n).toString();
    process.stdout.write(`${JSON.stringify({ partition: b.partition, next, values: b.messages.map((m) => m.value?.toString()) })}\n`);
  },
});
