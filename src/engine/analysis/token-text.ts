// Index-mode tokens written straight into one space-separated string, the form FTS5 stores them in: an
// analyzer that writes here makes no string per token and no array to join (for ik on a ~200-byte text, ~80
// token strings and a join per row; ik.ts indexText says what it saved).
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';
const INITIAL_CODES = 1024;
/** A buffer grown beyond this by one long text is given back at the next reset (threads live long). */
const KEPT_CODES = 64 * 1024;

export class TokenText {
  #codes = new Uint16Array(INITIAL_CODES);
  #bytes = Buffer.from(this.#codes.buffer);
  #length = 0;

  /** Empties the text for the next input. */
  reset(): void {
    this.#length = 0;
    if (this.#codes.length > KEPT_CODES) {
      this.#codes = new Uint16Array(INITIAL_CODES);
      this.#bytes = Buffer.from(this.#codes.buffer);
    }
  }

  /** Starts a token that will be `size` code units long at most: a separating space unless it is the first. */
  begin(size: number): void {
    const need = this.#length + size + 1;
    if (need > this.#codes.length) {
      const grown = new Uint16Array(Math.max(need, this.#codes.length * 2));
      grown.set(this.#codes.subarray(0, this.#length));
      this.#codes = grown;
      this.#bytes = Buffer.from(grown.buffer);
    }
    if (this.#length > 0) this.#codes[this.#length++] = 32;
  }

  /** Appends one code unit to the token begun last (within the size it was begun with). */
  put(code: number): void {
    this.#codes[this.#length++] = code;
  }

  /** A whole token: the code units of `s` from `from` to `to`. */
  slice(s: string, from: number, to: number): void {
    this.begin(to - from);
    const codes = this.#codes;
    let n = this.#length;
    for (let i = from; i < to; i++) codes[n++] = s.charCodeAt(i);
    this.#length = n;
  }

  /** A whole token given as a string. */
  word(w: string): void {
    this.slice(w, 0, w.length);
  }

  /** The tokens so far, joined by single spaces. */
  toString(): string {
    if (LITTLE_ENDIAN) return this.#bytes.toString('utf16le', 0, this.#length * 2);
    let out = '';
    for (let i = 0; i < this.#length; i += 4096) out += String.fromCharCode(...this.#codes.subarray(i, Math.min(this.#length, i + 4096)));
    return out;
  }
}
