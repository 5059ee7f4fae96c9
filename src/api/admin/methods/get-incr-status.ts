// do_get_incr_status: consumer positions per topic partition, events in the last 60 s, lag and state.
import type { AdminServices } from '../services.js';
import { IndexNameSchema, parseBody } from '../requests.js';
import { ok } from '../envelope.js';
import { presentChannel } from '../present.js';
import { TidesearchError } from '../../../errors/index.js';

export async function getIncrStatus(svc: AdminServices, body: unknown) {
  const req = parseBody(IndexNameSchema, body);
  const idx = svc.indexes.require(req.indexName);
  const channel = svc.catalog.getChannel(idx.name);
  if (!channel) throw new TidesearchError('INCR_NOT_FOUND', `index '${idx.name}' has no incremental channel; create one with do_create_incr`, { field: 'indexName' });
  const s = svc.channels.status(idx.name);
  const positions = s?.positions ?? [];
  return ok({
    current_cursor: positions.map((p) => ({ mqName: `${p.topic}-${p.partition}`, cursor: Number(p.offset), offset: p.offset, end: s?.endOffsets[`${p.topic}-${p.partition}`] ?? null })),
    last_60_sec: s?.last60Sec ?? 0,
    ...(req.log ? { logs: (s?.logs ?? []).join('\n') } : {}),
    ...presentChannel(s),
    state: s?.state ?? (channel.state === 'running' ? 'starting' : channel.state),
    reason: s?.reason ?? channel.reason,
    last_commit_ts: s?.lastCommitTs ?? null,
    last_watermark_ts: s?.lastWatermarkTs ?? null,
    rebuild_needed: idx.rebuildNeeded,
    ddl: svc.catalog.ddlEvents(idx.name, 10).map((d) => ({ commitTs: d.commitTs, type: d.ddlType, query: d.query, affectsIndex: d.affectsIndex, at: d.at })),
    dead_letters: svc.catalog.deadLetterCount(idx.name),
    recent_dead_letters: svc.catalog.deadLetters(idx.name, 10).map((d) => ({ mqName: `${d.topic}-${d.partition}`, offset: d.offset, reason: d.reason, at: d.at })),
    topic: (channel.config as { topic?: string }).topic,
  });
}
