// Splices FTS5 indexes that were built in other files, over disjoint rowids, into this file's (empty) FTS5
// table, so that several threads can each write a shard of a full build and the generation still ends with
// one FTS5 index. FTS5 keeps an index as segments (immutable b-trees of terms → doclists) listed in one
// "structure" record; a segment does not refer to any other, so the shards' segments are copied row for row
// into this table's shadow tables under new segment ids, at their levels, and one structure record lists them all. The
// caller then runs 'optimize', which merges them into one segment as for any other index.
//
// Format facts (SQLite's fts5_index.c and fts5_storage.c, SQLite 3.53 as better-sqlite3 12 bundles it):
//  - %_data(id, block): id 1 = the averages record (varints: rows, then tokens per column); id 10 = the
//    structure record; a segment's pages have ids segid << 37 | dlidx << 36 | height << 31 | pgno, so every
//    page of segment s lies in [s << 37, (s + 1) << 37); tombstone pages use segid + 65536 (none here: the
//    shards never delete).
//  - %_idx(segid, term, pgno): the segments' interior b-tree.
//  - %_docsize(id, sz, origin): with contentless_delete=1 each row records the origin counter of the segment
//    it was flushed into; a later delete adds a tombstone to the segments whose [origin1, origin2] holds it.
//  - structure record, V2 (contentless_delete=1): a 4-byte big-endian cookie, the bytes FF 00 00 01, varints
//    nLevel, nSegment, nWriteCounter; per level nMerge, nSeg, and per segment segid, pgnoFirst, pgnoLast,
//    origin1, origin2, nPgTombstone, nEntryTombstone, nEntry. Varints as in SQLite records (big-endian 7-bit
//    groups, the ninth byte carries 8 bits).
import type { GenDb } from './generation-file.js';

const V2_MARKER = [0xff, 0x00, 0x00, 0x01] as const;
const STRUCTURE_ID = 10;
const AVERAGES_ID = 1;
const SEGMENT_SHIFT = 37n;
const MAX_SEGID = 65535;
/** The level the first spliced segments take (spliceFtsShards says why), and how many share a level: fewer than
 *  the 16 at which a level is merged (FTS5's automerge in a new generation, then the change writer's steps with
 *  usermerge 16: fts-merge.ts), so that the splice itself triggers no merge. */
export const SPLICED_LEVEL = 6;
const SEGMENTS_PER_LEVEL = 8;

export interface FtsSegment {
  readonly segid: number;
  readonly pgnoFirst: number;
  readonly pgnoLast: number;
  readonly origin1: number;
  readonly origin2: number;
  readonly nPgTombstone: number;
  readonly nEntryTombstone: number;
  readonly nEntry: number;
}

export interface FtsStructure {
  readonly cookie: number;
  readonly writeCounter: number;
  readonly levels: readonly { readonly nMerge: number; readonly segments: readonly FtsSegment[] }[];
}

/** What the splice did, for the build log. */
export interface SpliceStats {
  readonly shards: number;
  readonly segments: number;
  readonly rows: number;
  readonly ms: number;
}

export function decodeStructure(block: Uint8Array): FtsStructure {
  if (block.length < 8 || V2_MARKER.some((b, i) => block[4 + i] !== b)) {
    throw new Error('FTS5 structure record is not in the V2 (contentless_delete) format');
  }
  const cookie = ((block[0]! << 24) | (block[1]! << 16) | (block[2]! << 8) | block[3]!) >>> 0;
  const r = new VarintReader(block, 8);
  const nLevel = r.next();
  const nSegment = r.next();
  const writeCounter = r.next();
  const levels: { nMerge: number; segments: FtsSegment[] }[] = [];
  for (let l = 0; l < nLevel; l++) {
    const nMerge = r.next();
    const nSeg = r.next();
    const segments: FtsSegment[] = [];
    for (let s = 0; s < nSeg; s++) {
      segments.push({
        segid: r.next(),
        pgnoFirst: r.next(),
        pgnoLast: r.next(),
        origin1: r.next(),
        origin2: r.next(),
        nPgTombstone: r.next(),
        nEntryTombstone: r.next(),
        nEntry: r.next(),
      });
    }
    levels.push({ nMerge, segments });
  }
  if (levels.reduce((n, l) => n + l.segments.length, 0) !== nSegment) throw new Error('FTS5 structure record: segment count mismatch');
  return { cookie, writeCounter, levels };
}

export function encodeStructure(s: FtsStructure): Uint8Array {
  const out: number[] = [(s.cookie >>> 24) & 0xff, (s.cookie >>> 16) & 0xff, (s.cookie >>> 8) & 0xff, s.cookie & 0xff, ...V2_MARKER];
  const put = (v: number) => putVarint(out, v);
  put(s.levels.length);
  put(s.levels.reduce((n, l) => n + l.segments.length, 0));
  put(s.writeCounter);
  for (const l of s.levels) {
    put(l.nMerge);
    put(l.segments.length);
    for (const g of l.segments) {
      for (const v of [g.segid, g.pgnoFirst, g.pgnoLast, g.origin1, g.origin2, g.nPgTombstone, g.nEntryTombstone, g.nEntry]) put(v);
    }
  }
  return Uint8Array.from(out);
}

/** The averages record: [rows, tokens of column 0, tokens of column 1, ...] (an empty index stores no bytes). */
export function decodeAverages(block: Uint8Array, columns: number): number[] {
  const out = new Array<number>(columns + 1).fill(0);
  const r = new VarintReader(block, 0);
  for (let i = 0; i <= columns && !r.done; i++) out[i] = r.next();
  return out;
}

export function encodeAverages(values: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) putVarint(out, v);
  return Uint8Array.from(out);
}

/**
 * Copies the FTS5 indexes of `shardFiles` (each holding a table `fts` created exactly like `db`'s, rowids
 * disjoint across shards and from `db`'s, no merge in progress) into `db`'s empty table `fts`. `db` must be a
 * connection that has not used `fts` yet, or FTS5 would keep its cached (empty) structure: use a fresh one.
 */
export function spliceFtsShards(db: GenDb, shardFiles: readonly string[], columns: number): SpliceStats {
  const t0 = performance.now();
  const blockOf = (schema: string, id: number) =>
    db.prepare(`SELECT block FROM ${schema}.fts_data WHERE id = ?`).pluck().get(id) as Uint8Array | undefined;
  const target = decodeStructure(blockOf('main', STRUCTURE_ID) ?? fail('the target FTS5 table has no structure record'));
  if (target.levels.some((l) => l.segments.length > 0)) throw new Error('the target FTS5 table is not empty');
  const totals = new Array<number>(columns + 1).fill(0);
  const segments: FtsSegment[] = [];
  // The shards' segments go to SPLICED_LEVEL and up (SEGMENTS_PER_LEVEL a level), far above the change writer's:
  // a level is merged once it holds 16 segments (FTS5's automerge, then fts-merge.ts), and each commit writes one
  // at level 0. At level 1, where FTS5's own optimize leaves its segment, the writer's segments reached them
  // after 16 × 14 = 224 commits, a minute of a live channel committing each fetch, and FTS5 then rewrote the whole index (1M rows:
  // ~390 MB, ~8 s of the writer's time on a slow 2-core machine, spread over ~120 commits that each took 3-4
  // times as long; bench:incr (c) latency grew past 2 s). Six levels up, 16^5 commits pass first.
  const levels: FtsSegment[][] = [];
  let writeCounter = 0;
  let originBase = 0;
  let rows = 0;
  // better-sqlite3 opens connections in SQLite's defensive mode, where FTS5's shadow tables are read-only;
  // this connection writes them on purpose, and only for the splice.
  db.unsafeMode(true);
  // ATTACH is refused inside a transaction: every shard is attached first, the copy is one transaction.
  const schemas: string[] = [];
  try {
    shardFiles.forEach((file, i) => {
      db.prepare(`ATTACH DATABASE ? AS shard${i}`).run(file);
      schemas.push(`shard${i}`);
    });
    db.transaction(() => {
      schemas.forEach((schema, i) => {
        const file = shardFiles[i]!;
        const s = decodeStructure(blockOf(schema, STRUCTURE_ID) ?? fail(`shard ${file} has no FTS5 structure record`));
        if (s.levels.some((l) => l.nMerge > 0)) throw new Error(`shard ${file} has an FTS5 merge in progress`);
        let maxOrigin = 0;
        for (const level of s.levels) {
          for (const g of level.segments) {
            if (g.nPgTombstone > 0) throw new Error(`shard ${file} has tombstones`);
            const segid = segments.length + 1;
            if (segid > MAX_SEGID) throw new Error('too many FTS5 segments to splice');
            const delta = BigInt(segid - g.segid) << SEGMENT_SHIFT;
            const lo = BigInt(g.segid) << SEGMENT_SHIFT;
            db.prepare(`INSERT INTO main.fts_data(id, block) SELECT id + ?, block FROM ${schema}.fts_data WHERE id >= ? AND id < ?`).run(delta, lo, lo + (1n << SEGMENT_SHIFT));
            db.prepare(`INSERT INTO main.fts_idx(segid, term, pgno) SELECT ?, term, pgno FROM ${schema}.fts_idx WHERE segid = ?`).run(segid, g.segid);
            const spliced = { ...g, segid, origin1: g.origin1 + originBase, origin2: g.origin2 + originBase };
            segments.push(spliced);
            const at = SPLICED_LEVEL + Math.floor((segments.length - 1) / SEGMENTS_PER_LEVEL);
            while (levels.length <= at) levels.push([]);
            levels[at]!.push(spliced);
            maxOrigin = Math.max(maxOrigin, g.origin2);
          }
        }
        rows += db.prepare(`INSERT INTO main.fts_docsize(id, sz, origin) SELECT id, sz, origin + ? FROM ${schema}.fts_docsize`).run(originBase).changes;
        decodeAverages(blockOf(schema, AVERAGES_ID) ?? new Uint8Array(), columns).forEach((v, c) => (totals[c] = totals[c]! + v));
        writeCounter += s.writeCounter;
        originBase += maxOrigin;
      });
      const structure: FtsStructure = { cookie: target.cookie, writeCounter, levels: levels.map((segs) => ({ nMerge: 0, segments: segs })) };
      const put = db.prepare('INSERT OR REPLACE INTO main.fts_data(id, block) VALUES (?, ?)');
      put.run(STRUCTURE_ID, encodeStructure(structure));
      put.run(AVERAGES_ID, encodeAverages(totals));
    })();
  } finally {
    for (const schema of schemas) db.prepare(`DETACH DATABASE ${schema}`).run();
    db.unsafeMode(false);
  }
  return { shards: shardFiles.length, segments: segments.length, rows, ms: performance.now() - t0 };
}

function fail(message: string): never {
  throw new Error(message);
}

function putVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint out of range: ${value}`);
  if (value < 0x80) {
    out.push(value);
    return;
  }
  // Safe integers stay below 2^56: at most eight 7-bit groups (the nine-byte form is never needed).
  let v = BigInt(value);
  const groups: number[] = [];
  for (; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn));
  for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
  out.push(...groups);
}

class VarintReader {
  constructor(
    private readonly buf: Uint8Array,
    private at: number,
  ) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  next(): number {
    let v = 0n;
    for (let i = 0; i < 9; i++) {
      if (this.at >= this.buf.length) throw new Error('FTS5 record ends inside a varint');
      const b = this.buf[this.at++]!;
      if (i === 8) return Number((v << 8n) | BigInt(b));
      v = (v << 7n) | BigInt(b & 0x7f);
      if (!(b & 0x80)) return Number(v);
    }
    return Number(v);
  }
}
