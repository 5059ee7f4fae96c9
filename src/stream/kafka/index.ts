// The Kafka transport of the change stream.
export { createKafkaChangeStream, type KafkaChangeStreamOptions, type StreamLogger, type StreamStatus } from './kafka-change-stream.js';
export type { KafkaWire } from './kafka-wire.js';
