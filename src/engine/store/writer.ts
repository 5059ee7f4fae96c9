// Applies document operations to a live or catching-up generation: documents, tombstones and the stream
// positions that produced them commit in ONE transaction, so after a crash the index and its positions agree.
import type { IndexSpec } from '../../core/schema.js';
import type { RowImage } from '../../core/value.js';
import type { StreamPosition } from '../../core/change.js';
import type { DocKey } from '../../core/doc-key.js';
import type { Statement } from 'better-sqlite3';
import { openGenerationFile, readMeta, type GenDb } from './generation-file.js';
import { layoutOf, type FieldLayout } from './layout.js';
import { docColumns, docParams } from './values.js';
import { asciiTokens } from './topk-table.js';

export type DocOp =
  | { readonly kind: 'upsert'; readonly key: DocKey; readonly version: bigint; readonly values: RowImage; readonly tokens: readonly string[] }
  | { readonly kind: 'delete'; readonly key: DocKey; readonly version: bigint };

/** Decides whether an operation at `incoming` may replace what the index holds at `stored` (doc or tombstone). */
export type VersionRule = (incoming: bigint, stored: bigint | undefined) => boolean;

export interface ApplyResult {
  readonly applied: number;
  readonly skipped: number;
}

export class GenerationWriter {
  readonly db: GenDb;
  readonly spec: IndexSpec;
  readonly #layout: readonly FieldLayout[];
  readonly #ftsCols: readonly string[];
  readonly #stmts;
  /** Terms with a stored top-K (topk-table.ts); their instances in changed rows are recorded. */
  readonly #frequent: ReadonlySet<string>;
  readonly #touch: { readonly rid: Statement; readonly clear: Statement; readonly term: Statement } | null;

  constructor(fileOrDb: string | GenDb, spec: IndexSpec) {
    this.db = typeof fileOrDb === 'string' ? openGenerationFile(fileOrDb) : fileOrDb;
    this.spec = spec;
    this.#layout = layoutOf(spec);
    this.#ftsCols = this.#layout.filter((l) => l.ftsColumn).map((l) => l.ftsColumn!);
    const cols = docColumns(this.#layout);
    const db = this.db;
    this.#stmts = {
      doc: db.prepare('SELECT rid, version FROM docs WHERE doc_key = ?').safeIntegers(true),
      tomb: db.prepare('SELECT version FROM tombstones WHERE doc_key = ?').safeIntegers(true),
      insert: db.prepare(`INSERT INTO docs(doc_key, version${cols.map((c) => `, ${c}`).join('')}) VALUES (?, ?${', ?'.repeat(cols.length)})`),
      update: db.prepare(`UPDATE docs SET version = ?${cols.map((c) => `, ${c} = ?`).join('')} WHERE rid = ?`),
      deleteDoc: db.prepare('DELETE FROM docs WHERE rid = ?'),
      ftsInsert: this.#ftsCols.length
        ? db.prepare(`INSERT INTO fts(rowid, ${this.#ftsCols.join(', ')}) VALUES (?${', ?'.repeat(this.#ftsCols.length)})`)
        : null,
      ftsDelete: db.prepare('DELETE FROM fts WHERE rowid = ?'),
      tombPut: db.prepare('INSERT INTO tombstones(doc_key, version) VALUES (?, ?) ON CONFLICT(doc_key) DO UPDATE SET version = excluded.version'),
      tombDel: db.prepare('DELETE FROM tombstones WHERE doc_key = ?'),
      posPut: db.prepare('INSERT INTO positions(topic, partition, offset) VALUES (?, ?, ?) ON CONFLICT(topic, partition) DO UPDATE SET offset = excluded.offset'),
      positions: db.prepare('SELECT topic, partition, offset FROM positions ORDER BY topic, partition'),
      count: db.prepare('SELECT COUNT(*) AS n FROM docs'),
    };
    // Generations sealed with a top-K table record changed rids so top-K answers stay exact (topk-table.ts).
    const topk = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'touched_terms'").get() !== undefined;
    this.#touch = topk
      ? {
          rid: db.prepare('INSERT OR IGNORE INTO touched(rid) VALUES (?)'),
          clear: db.prepare('DELETE FROM touched_terms WHERE rid = ?'),
          term: db.prepare('INSERT INTO touched_terms(term, col, rid, tf) VALUES (?, ?, ?, ?)'),
        }
      : null;
    this.#frequent = new Set(topk ? (db.prepare('SELECT DISTINCT term FROM topk_terms').pluck().all() as string[]) : []);
  }

  /** The snapshot S this generation was dumped at. */
  snapshotTs(): bigint {
    const s = readMeta(this.db, 'snapshotTs');
    if (s === undefined) throw new Error('generation has no snapshotTs');
    return BigInt(s);
  }

  positions(): StreamPosition[] {
    return this.#stmts.positions.all() as StreamPosition[];
  }

  docCount(): number {
    return (this.#stmts.count.get() as { n: number }).n;
  }

  /** Applies ops in order (the version rule decides each), and records `positions`, atomically. */
  apply(ops: readonly DocOp[], positions: readonly StreamPosition[], rule: VersionRule): ApplyResult {
    const s = this.#stmts;
    let applied = 0;
    let skipped = 0;
    this.db.transaction(() => {
      for (const op of ops) {
        const doc = s.doc.get(op.key) as { rid: bigint; version: bigint } | undefined;
        const stored = doc ? doc.version : (s.tomb.get(op.key) as { version: bigint } | undefined)?.version;
        if (!rule(op.version, stored)) {
          skipped++;
          continue;
        }
        applied++;
        if (op.kind === 'delete') {
          if (doc) {
            s.deleteDoc.run(doc.rid);
            if (s.ftsInsert) s.ftsDelete.run(doc.rid);
            this.#touched(doc.rid, null);
          }
          s.tombPut.run(op.key, op.version);
          continue;
        }
        const params = docParams(this.#layout, op.values);
        let rid: bigint | number;
        if (doc) {
          s.update.run(op.version, ...params, doc.rid);
          if (s.ftsInsert) s.ftsDelete.run(doc.rid);
          rid = doc.rid;
        } else {
          if (stored !== undefined) s.tombDel.run(op.key);
          rid = s.insert.run(op.key, op.version, ...params).lastInsertRowid;
        }
        s.ftsInsert?.run(rid, ...op.tokens);
        this.#touched(rid, op.tokens);
      }
      for (const p of positions) s.posPut.run(p.topic, p.partition, p.offset);
    })();
    return { applied, skipped };
  }

  /** Records a changed rid and, for a row that now exists, its instances of the frequent terms per column. */
  #touched(rid: bigint | number, tokens: readonly string[] | null): void {
    const t = this.#touch;
    if (!t) return;
    // A rid touched for the first time has no recorded terms yet.
    if (t.rid.run(rid).changes === 0) t.clear.run(rid);
    if (!tokens) return;
    tokens.forEach((text, i) => {
      const counts = new Map<string, number>();
      for (const tok of asciiTokens(text)) if (this.#frequent.has(tok)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
      for (const [term, tf] of counts) t.term.run(term, this.#ftsCols[i], rid, tf);
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
