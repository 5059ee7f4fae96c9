// Shapes catalog records into the seed API's response fields (names as the document spells them).
import type { IndexRecord, TaskRecord } from '../../catalog/catalog.js';
import { STAGES } from '../../catalog/catalog.js';
import type { ChannelStatus } from '../../pipeline/channel-status.js';
import type { AdminServices } from './services.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:mm:ss` in the server's time zone (docs/api.md says so). */
export function formatTime(ms: number | null): string | null {
  if (ms === null) return null;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function presentTask(t: TaskRecord, logs: string | undefined) {
  const progress = Object.fromEntries(
    STAGES.map((s) => {
      const p = t.progress[s];
      const percent = p && p.rowsTotal > 0 ? Math.min(100, Math.round((p.rowsDone * 1000) / p.rowsTotal) / 10) : t.state === 'complete' ? 100 : 0;
      return [s, { rowsDone: p?.rowsDone ?? 0, rowsTotal: p?.rowsTotal ?? 0, percent, startedAt: p?.startedAt ?? null, finishedAt: p?.finishedAt ?? null }];
    }),
  );
  const overall = t.state === 'complete' ? 100 : Math.round(STAGES.reduce((a, s) => a + progress[s]!.percent, 0) / STAGES.length);
  return {
    taskid: t.id,
    complete: t.state !== 'running',
    faild: t.state === 'failed',
    stage: t.stage,
    errs: t.error ?? '',
    ...(logs !== undefined ? { logs } : {}),
    state: t.state,
    indexName: t.indexName,
    percent: overall,
    progress,
    createTime: formatTime(t.createdAt),
    updateTime: formatTime(t.updatedAt),
  };
}

export function presentChannel(s: ChannelStatus | undefined) {
  if (!s) return null;
  return {
    state: s.state,
    reason: s.reason,
    lag_ms: s.lagMs,
    watermark_lag_ms: s.watermarkLagMs,
    last_60_sec: s.last60Sec,
    applied: s.applied,
    skipped: s.skipped,
    ignored: s.ignored,
    rejected: s.rejected,
    protocol: s.protocol,
  };
}

export function presentIndex(svc: AdminServices, idx: IndexRecord) {
  const reader = svc.indexes.reader(idx.name);
  const gens = svc.catalog.generations(idx.name);
  const live = gens.find((g) => g.gen === idx.liveGen);
  const running = svc.indexes.runningTaskId(idx.name);
  const channel = svc.catalog.getChannel(idx.name);
  const status = svc.channels.status(idx.name);
  return {
    doc_num: reader ? svc.indexes.docCount(idx.name) ?? live?.docCount ?? 0 : 0,
    latest_fullbuild_time: formatTime(idx.latestFullbuildAt),
    incr_ready: !!channel && (status?.state === 'running' || status?.state === 'catching-up'),
    indexName: idx.name,
    source: `${idx.spec.db}.${idx.spec.table}`,
    live_generation: idx.liveGen,
    snapshot_ts: live?.snapshotTs?.toString() ?? null,
    rebuild_needed: idx.rebuildNeeded,
    building_taskid: running ?? null,
    last_taskid: svc.catalog.tasksOf(idx.name, 1)[0]?.id ?? null,
    topk: reader?.topK() ?? null,
    fields: idx.spec.fields.map((f) => ({ name: f.name, type: f.sqlType, token: f.token, search: f.search, key: f.isKey })),
    incr: channel ? { ...presentChannel(status), configured_state: channel.state, topic: (channel.config as { topic?: string }).topic } : null,
  };
}
