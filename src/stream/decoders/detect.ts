// Protocol detection for `incr.protocol: auto`: the open protocol's key starts with its 8-byte version
// header; the JSON protocols differ in their top-level fields. The first decodable message decides.
import type { RawMessage } from '../../core/change.js';
import { decodeFailed, type ProtocolName } from './decoder.js';
import { parseJsonLossless } from './lossless-json.js';
import { looksLikeOpenProtocol } from './open-protocol.js';

/** The protocol of one message; throws DECODE_FAILED when it is none we can read (Debezium, Avro, ...). */
export function detectProtocol(m: RawMessage): ProtocolName {
  if (looksLikeOpenProtocol(m.key)) return 'open-protocol';
  const value = m.value;
  if (value === null || value.length === 0) throw decodeFailed('auto', 'cannot detect the protocol: the message has no value');
  if (value[0] === 0) throw decodeFailed('auto', 'the message looks like Avro (Confluent magic byte 0), which is not supported; use canal-json, open-protocol or simple');
  let v: unknown;
  try {
    v = parseJsonLossless(value.toString('utf8'));
  } catch {
    throw decodeFailed('auto', 'cannot detect the protocol: the key has no open-protocol header and the value is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw decodeFailed('auto', 'cannot detect the protocol: the value is not a JSON object');
  const o = v as Record<string, unknown>;
  if ('isDdl' in o || 'pkNames' in o || 'mysqlType' in o || '_tidb' in o) return 'canal-json';
  if ('buildTs' in o || ('version' in o && 'type' in o && 'commitTs' in o)) return 'simple';
  if ('payload' in o || ('schema' in o && 'op' in o) || ('before' in o && 'after' in o && 'op' in o)) {
    throw decodeFailed('auto', 'the message is Debezium-formatted, which is not supported; use canal-json, open-protocol or simple');
  }
  throw decodeFailed('auto', 'cannot detect the protocol: the JSON has neither canal-json nor simple-protocol fields');
}
