// Reverses Go's strconv.Quote body (without the surrounding quotes): TiCDC's open protocol writes
// BINARY/VARBINARY/CHAR-binary values that way (\xHH for bytes that are not UTF-8, \n, \u00a0, ...).

const SIMPLE: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };

export function bytesFromGoQuoted(s: string): Buffer {
  if (!s.includes('\\')) return Buffer.from(s, 'utf8');
  const out: number[] = [];
  let plainStart = 0;
  const flushPlain = (end: number): void => {
    if (end > plainStart) for (const b of Buffer.from(s.slice(plainStart, end), 'utf8')) out.push(b);
  };
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== 92) continue;
    flushPlain(i);
    const c = s[i + 1];
    if (c === undefined) throw new TypeError('dangling backslash in Go-quoted string');
    if (c in SIMPLE) {
      out.push(SIMPLE[c]!);
      i += 1;
    } else if (c === 'x') {
      out.push(hex(s, i + 2, 2));
      i += 3;
    } else if (c === 'u' || c === 'U') {
      const n = c === 'u' ? 4 : 8;
      for (const b of Buffer.from(String.fromCodePoint(hex(s, i + 2, n)), 'utf8')) out.push(b);
      i += 1 + n;
    } else if (c >= '0' && c <= '7') {
      const oct = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) throw new TypeError(`bad octal escape \\${oct} in Go-quoted string`);
      out.push(parseInt(oct, 8));
      i += 3;
    } else {
      throw new TypeError(`unknown escape \\${c} in Go-quoted string`);
    }
    plainStart = i + 1;
  }
  flushPlain(s.length);
  return Buffer.from(out);
}

function hex(s: string, at: number, n: number): number {
  const h = s.slice(at, at + n);
  if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new TypeError(`bad hex escape ${JSON.stringify(h)} in Go-quoted string`);
  return parseInt(h, 16);
}
