// Chooses the decoder for a channel: by name, or (`auto`) by detecting the protocol of the first
// message that can be recognised and keeping that choice for the channel's life.
import type { RawMessage, StreamItem } from '../../core/change.js';
import { CanalJsonDecoder } from './canal-json.js';
import type { Decoder, DecoderOptions, ProtocolName } from './decoder.js';
import { detectProtocol } from './detect.js';
import { OpenProtocolDecoder } from './open-protocol.js';
import { SimpleDecoder } from './simple.js';

export type { Decoder, DecoderOptions, ProtocolName } from './decoder.js';
export { detectProtocol } from './detect.js';
export { parseJsonLossless } from './lossless-json.js';
export { encodeCanalJson, encodeCanalJsonWatermark, type CanalEncodeOptions, type EncodableEvent } from './canal-json-encoder.js';

export type DecoderProtocol = ProtocolName | 'auto';

export function createDecoder(protocol: DecoderProtocol, opts: DecoderOptions): Decoder {
  switch (protocol) {
    case 'canal-json':
      return new CanalJsonDecoder(opts);
    case 'open-protocol':
      return new OpenProtocolDecoder(opts);
    case 'simple':
      return new SimpleDecoder(opts);
    case 'auto':
      return new DetectingDecoder(opts);
  }
}

/** `protocol` reads `auto` until the first message is recognised, then the detected name. */
class DetectingDecoder implements Decoder {
  #chosen: Decoder | undefined;
  readonly #opts: DecoderOptions;

  constructor(opts: DecoderOptions) {
    this.#opts = opts;
  }

  get protocol(): string {
    return this.#chosen?.protocol ?? 'auto';
  }

  decode(m: RawMessage): StreamItem[] {
    // An unrecognisable first message is dead-lettered and detection waits for the next one.
    this.#chosen ??= createDecoder(detectProtocol(m), this.#opts);
    return this.#chosen.decode(m);
  }
}
