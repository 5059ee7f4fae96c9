// Top-K lists ranked in the analysis threads while the change writer keeps changing the live generation (as
// after a swap, with the channel running) answer exactly what ranking every hit answers, after the ranking
// and after further changes; pending lists answer nothing meanwhile, and an aborted ranking stores no list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FieldSpec, IndexSpec } from '../../../src/core/schema.js';
import { docKeyOf } from '../../../src/core/doc-key.js';
import { createAnalysisPool } from '../../../src/engine/analysis/index.js';
import { GenerationBuilder } from '../../../src/engine/store/builder.js';
import { GenerationWriter, type DocOp } from '../../../src/engine/store/writer.js';
import { topKAnswerer } from '../../../src/engine/search/topk-answer.js';
import { rankPendingTopK } from '../../../src/pipeline/topk-ranking.js';

const field = (name: string, kind: FieldSpec['kind'], isKey = false): FieldSpec => ({ name, kind, sqlType: kind, token: isKey ? 'string' : 'standard', search: true, isKey });
const spec: IndexSpec = { name: 'notes', db: 'd', table: 'notes', key: ['id'], fields: [field('id', 'integer', true), field('title', 'string'), field('body', 'string')] };
const WORDS = ['tide', 'moon', 'sun', 'salt', 'wave', 'reef'];

// Seeded notes: each frequent word in a varied count, amid a varied number of filler words, so that the top
// ranks are not ties (a page is answered only when it beats the list's last row by the drift of avgdl).
function note(id: number, salt: number) {
  const w = (i: number) => WORDS[(id * 7 + i * 3 + salt) % WORDS.length]!;
  const filler = Array.from({ length: (id * 13 + salt) % 211 }, (_, i) => `f${i}`).join(' ');
  return { id, title: `${w(0)} ${id % 5 === 0 ? w(1) : ''}`.trim(), body: `${Array.from({ length: 1 + ((id + salt) % 6) }, (_, i) => w(i % 2)).join(' ')} ${filler}`.trim() };
}

function expected(db: Database.Database, match: string, limit: number): [bigint, number][] {
  return db.prepare('SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY bm25(fts), rowid LIMIT ?').raw(true).safeIntegers(true).all(match, limit).map((r) => {
    const [rid, s] = r as [bigint, number];
    return [rid, Number(s)];
  });
}

/** A sealed generation of `rows` notes with its top-K lists planned and left pending. */
function plannedGeneration(file: string, rows: number, topk: { k: number; minDocs: number }): { pending: number } {
  const b = new GenerationBuilder(file, spec);
  b.setSnapshot(1n);
  const batch = b.insertDocs(Array.from({ length: rows }, (_, i) => note(i + 1, 0)), 1n);
  b.insertTokens(batch.rids, batch.texts.map((t) => t ?? ''));
  const planned = b.sealPlanned(topk);
  b.close();
  return planned;
}

/** Runs `use` with a generation file path in a fresh directory and an analysis pool of `size` threads; removes both after. */
async function withGeneration(size: number, use: (file: string, pool: ReturnType<typeof createAnalysisPool>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-topk-ranking-'));
  await using pool = createAnalysisPool({ size });
  try {
    await use(join(dir, 'gen.sqlite'), pool);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('lists ranked in the threads while the writer changes the generation answer exactly', () =>
  withGeneration(2, async (file, pool) => {
    const planned = plannedGeneration(file, 3000, { k: 20, minDocs: 300 });
    assert.ok(planned.pending >= 6, `${planned.pending} lists planned`);

    const writer = new GenerationWriter(file, spec);
    const reader = new Database(file, { readonly: true });
    const topk = topKAnswerer(reader)!;
    const stored = reader.prepare('SELECT cols, term FROM topk_terms').raw(true);
    let version = 2n;
    const change = (round: number) => {
      const ops: DocOp[] = [];
      // A few rows a round: a list declines once more than k changed rows hold its term.
      for (let id = 1 + ((round * 101) % 3300); id <= 3300 && ops.length < 2; id += 1650) {
        const key = docKeyOf(spec.key, { id });
        if (id % 11 === 0) ops.push({ kind: 'delete', key, version });
        else {
          const n = note(id, round + 1);
          ops.push({ kind: 'upsert', key, version, values: n, tokens: [n.title, n.body] });
        }
      }
      writer.apply(ops, [], () => true);
      version++;
    };
    const check = (mustAnswer: boolean) => {
      let answered = 0;
      for (const [cols, term] of stored.all() as [string, string][]) {
        const match = `{${cols}} : ("${term}")`;
        const hits = reader.prepare('SELECT count(*) FROM fts WHERE fts MATCH ?').pluck().get(match) as number;
        for (const limit of [1, 10]) {
          const got = topk.page(match, 'bm25(fts)', limit, hits);
          if (got === null) continue;
          assert.deepEqual(got, expected(reader, match, limit), `${match} limit ${limit}`);
          answered++;
        }
      }
      if (mustAnswer) assert.ok(answered > 0, 'ranked lists answer');
      return answered;
    };

    assert.equal(check(false), 0, 'pending lists answer nothing');
    // Ranking runs in the threads; the writer commits between its chunks.
    let rounds = 0;
    const ranking = rankPendingTopK(file, pool, new AbortController().signal);
    let done = false;
    void ranking.finally(() => (done = true));
    while (!done) {
      change(rounds++);
      await new Promise((r) => setTimeout(r, 5));
    }
    const stats = await ranking;
    assert.equal(stats.entries + stats.unverified + stats.retired, planned.pending);
    assert.ok(rounds > 0);
    check(true);
    for (let i = 0; i < 3; i++) change(1000 + i);
    check(false);
    writer.close();
    reader.close();
  }));

test('an aborted ranking stores no list and leaves them pending', () =>
  withGeneration(1, async (file, pool) => {
    const planned = plannedGeneration(file, 1000, { k: 5, minDocs: 100 });
    const abort = new AbortController();
    abort.abort('stopped');
    await assert.rejects(rankPendingTopK(file, pool, abort.signal));
    const db = new Database(file, { readonly: true });
    assert.equal(db.prepare('SELECT count(*) FROM topk_terms WHERE stored < 0').pluck().get(), planned.pending);
    assert.equal(db.prepare('SELECT count(*) FROM topk').pluck().get(), 0);
    db.close();
  }));

test('lists the channel retires while others are ranked are skipped, and counted as retired', () =>
  withGeneration(1, async (file, pool) => {
    const planned = plannedGeneration(file, 3000, { k: 5, minDocs: 300 });
    const writer = new GenerationWriter(file, spec);
    const reader = new Database(file, { readonly: true });
    const pendingNow = () => new Set(reader.prepare('SELECT cols || char(0) || term FROM topk_terms WHERE stored < 0').pluck().all() as string[]);
    let retiredMeanwhile = 0;
    let askedAfter = 0;
    let stillPending = new Set<string>();
    const ranker: Parameters<typeof rankPendingTopK>[1] = {
      size: 1,
      rankTopK: (f, items, plan) => {
        if (retiredMeanwhile === 0) {
          // After the first chunk is asked for: rows rewritten, so lists of terms more than k of them hold retire.
          const before = pendingNow().size;
          const ops: DocOp[] = [];
          for (let id = 1; id <= 9; id++) {
            const n = note(id, 3);
            ops.push({ kind: 'upsert', key: docKeyOf(spec.key, { id }), version: 2n, values: n, tokens: [n.title, n.body] });
          }
          writer.apply(ops, [], () => true);
          stillPending = pendingNow();
          retiredMeanwhile = before - stillPending.size;
        } else {
          for (const item of items) assert.ok(stillPending.has(`${item.scope}\u0000${item.term}`) || item.copies.some((c) => stillPending.has(`${c.scope}\u0000${item.term}`)), `${item.term} was retired, yet asked for`);
          askedAfter += items.length;
        }
        return pool.rankTopK(f, items, plan);
      },
    };
    const stats = await rankPendingTopK(file, ranker, new AbortController().signal);
    assert.ok(retiredMeanwhile > 0, 'the writer retired lists during the ranking');
    assert.ok(askedAfter > 0 && askedAfter < stillPending.size + retiredMeanwhile, `${askedAfter} lists ranked after the retirement`);
    assert.equal(stats.entries + stats.unverified + stats.retired, planned.pending);
    assert.equal(stats.retired, retiredMeanwhile, "retired lists counted once each, skipped or not");
    writer.close();
    reader.close();
  }));

test('the threads that rank give way: their nice value is raised, the rest of the process keeps its own', () =>
  withGeneration(1, async (file, pool) => {
    // The nice value of each thread of this process (Linux: /proc/self/task/<tid>/stat, field 19).
    const nices = () =>
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    plannedGeneration(file, 1000, { k: 5, minDocs: 100 });
    assert.ok(!nices().includes(10), 'no thread gives way before');
    const stats = await rankPendingTopK(file, pool, new AbortController().signal);
    assert.ok(stats.entries > 0);
    assert.equal(nices().filter((n) => n === 10).length, 1, 'the ranking thread');
    assert.equal(os.getPriority(), 0, 'this thread');
  }));
