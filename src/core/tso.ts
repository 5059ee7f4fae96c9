// TiDB timestamps (TSO): physical milliseconds << 18 | logical counter. Always bigint: they exceed 2^53.

const LOGICAL_BITS = 18n;

export type Tso = bigint;

export function tsoFromMillis(ms: number, logical = 0): Tso {
  return (BigInt(ms) << LOGICAL_BITS) | BigInt(logical);
}

export function tsoToMillis(tso: Tso): number {
  return Number(tso >> LOGICAL_BITS);
}

/** Parses a TSO from its decimal text form; throws on anything else (never goes through a JS number). */
export function parseTso(text: string | number | bigint): Tso {
  if (typeof text === 'bigint') return text;
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0) throw new TypeError(`TSO ${text} is not a non-negative integer within 2^53`);
    return BigInt(text);
  }
  if (!/^\d+$/.test(text)) throw new TypeError(`not a TSO: ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** A clock TSO for sources without one (MySQL/MariaDB): the local clock in TiDB's layout. */
export function clockTso(nowMs = Date.now()): Tso {
  return tsoFromMillis(nowMs);
}
