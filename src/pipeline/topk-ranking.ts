// Ranks a live generation's pending top-K lists (store/topk-table.ts) in the analysis threads, after the
// build has swapped it in: the index serves at once, frequent-term queries take the normal plan until their
// list lands, and each chunk of lists is stored as soon as it is ranked. Lists ranked while the channel
// writes are as exact as lists ranked at seal (topk-table.ts says why). A restart resumes what is pending.
import { setTimeout as sleep } from 'node:timers/promises';
import { openGenerationFile, type GenDb } from '../engine/store/generation-file.js';
import { pendingTopK, writeTopK, type RankedList, type TopKItem, type TopKPlan } from '../engine/store/topk-table.js';

/** Ranks lists of `file` elsewhere (the analysis pool's threads, each on a read-only connection). */
export interface TopKRanker {
  readonly size?: number;
  rankTopK(file: string, items: readonly TopKItem[], plan: Pick<TopKPlan, 'k' | 'rows' | 'tokens'>): Promise<RankedList[]>;
}

export interface TopKRankingStats {
  /** (scope, term) lists stored, and left out because a score could not be reproduced exactly. */
  readonly entries: number;
  readonly unverified: number;
  /** Lists the change writer retired while they were being ranked (topk-tracker.ts). */
  readonly retired: number;
  readonly ms: number;
}

/** Which items' lists (or one of their copies) are still planned and not ranked. */
function pendingFilter(db: GenDb): (items: readonly TopKItem[]) => TopKItem[] {
  const pending = db.prepare('SELECT 1 FROM topk_terms WHERE cols = ? AND term = ? AND stored < 0').pluck();
  return (items) => items.filter((item) => [item.scope, ...item.copies.map((c) => c.scope)].some((scope) => pending.get(scope, item.term) !== undefined));
}

/** writeTopK, tried again after a pause (on the event loop, not in SQLite's busy handler) while another writer holds the lock. */
async function storeWhenUnlocked(db: GenDb, items: readonly TopKItem[], lists: readonly RankedList[], signal: AbortSignal): Promise<ReturnType<typeof writeTopK>> {
  for (let pause = 5; ; pause = Math.min(2 * pause, 100)) {
    try {
      return writeTopK(db, items, lists);
    } catch (e) {
      // SQLITE_BUSY, or SQLITE_BUSY_SNAPSHOT (a commit landed after this transaction's first read): rolled back.
      if (!String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw e;
    }
    await sleep(pause, undefined, { signal });
  }
}

/** Ranks and stores every pending list of `file`; stops between chunks when `signal` aborts. */
export async function rankPendingTopK(file: string, ranker: TopKRanker, signal: AbortSignal): Promise<TopKRankingStats> {
  const t0 = performance.now();
  const db = openGenerationFile(file);
  // This runs on the event loop: a write lock held by the channel's writer thread (a commit of 20k changes holds it
  // ~0.5-1 s on 1M rows) must not be waited for in SQLite's busy handler, which blocks every request meanwhile.
  db.pragma('busy_timeout = 0');
  let entries = 0;
  let unverified = 0;
  let retired = 0;
  try {
    const plan = pendingTopK(db);
    if (plan === null) return { entries, unverified, retired, ms: 0 };
    // Small chunks: each is stored as soon as it is ranked, and an abort waits for one chunk at most.
    const chunk = 4 * Math.max(1, ranker.size ?? 1);
    const stillPending = pendingFilter(db);
    for (let at = 0; at < plan.rank.length; at += chunk) {
      signal.throwIfAborted();
      // Lists the change writer retired since the plan was read are not ranked for nothing (a busy channel
      // retires most of them within the first tens of thousands of changes).
      const planned = plan.rank.slice(at, at + chunk);
      const items = stillPending(planned);
      for (const item of planned) if (!items.includes(item)) retired += 1 + item.copies.length;
      if (items.length === 0) continue;
      const lists = await ranker.rankTopK(file, items, plan);
      signal.throwIfAborted();
      const s = await storeWhenUnlocked(db, items, lists, signal);
      entries += s.entries;
      unverified += s.unverified;
      retired += s.retired;
    }
  } finally {
    db.close();
  }
  return { entries, unverified, retired, ms: performance.now() - t0 };
}
