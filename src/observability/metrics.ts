// Prometheus metrics derived from instrumentation events only: algorithms emit events, this module turns
// them into counters, gauges and histograms on its own registry (no prom-client global state).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BuildStage, ChannelState, EventBus } from './events.js';
import { cpuSecondsByRole } from './thread-cpu.js';

export interface Metrics {
  readonly registry: Registry;
  /** Prometheus text exposition format. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Removes every series labelled with this index (after the index is deleted). */
  forgetIndex(index: string): void;
  /** Unsubscribes from the event bus. */
  close(): void;
}

const CHANNEL_STATES: readonly ChannelState[] = ['starting', 'running', 'paused', 'failed', 'stopped'];
// Rates are measured over at least this span so one tiny batch does not swing the gauge wildly.
const RATE_WINDOW_MS = 1000;

export function createMetrics(events: EventBus, opts: { readonly defaultMetrics?: boolean; readonly now?: () => number } = {}): Metrics {
  const now = opts.now ?? Date.now;
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tidesearch_' });

  const buildRows = new Counter({ name: 'tidesearch_build_rows_total', help: 'Rows processed by build stages.', labelNames: ['index', 'stage'], registers: [registry] });
  const buildRate = new Gauge({ name: 'tidesearch_build_rows_per_second', help: 'Current row rate of the running build stage.', labelNames: ['index', 'stage'], registers: [registry] });
  const buildRatio = new Gauge({ name: 'tidesearch_build_stage_progress_ratio', help: 'Rows done / rows expected of the current build stage (0..1).', labelNames: ['index', 'stage'], registers: [registry] });
  const builds = new Counter({ name: 'tidesearch_builds_total', help: 'Finished build tasks by result.', labelNames: ['index', 'result'], registers: [registry] });
  const buildSeconds = new Gauge({ name: 'tidesearch_build_last_duration_seconds', help: 'Wall time of the last finished build.', labelNames: ['index'], registers: [registry] });
  const docs = new Gauge({ name: 'tidesearch_index_documents', help: 'Documents in the index after its last successful build.', labelNames: ['index'], registers: [registry] });
  const channelEvents = new Counter({ name: 'tidesearch_channel_events_total', help: 'Change events handled by the channel, by outcome (applied, skipped as stale/duplicate, rejected to dead letters).', labelNames: ['index', 'outcome'], registers: [registry] });
  const lag = new Gauge({ name: 'tidesearch_channel_lag_seconds', help: 'Now minus the commit time of the newest applied change; negative when that commit time is ahead of this clock (as lag_ms in do_get_incr_status).', labelNames: ['index'], registers: [registry] });
  const position = new Gauge({ name: 'tidesearch_channel_position', help: 'Next offset to read per topic partition (exact below 2^53).', labelNames: ['index', 'topic', 'partition'], registers: [registry] });
  const channelState = new Gauge({ name: 'tidesearch_channel_state', help: '1 for the current state of the channel, 0 for the others.', labelNames: ['index', 'state'], registers: [registry] });
  const queries = new Counter({ name: 'tidesearch_queries_total', help: 'Search requests served.', labelNames: ['index'], registers: [registry] });
  const queryLatency = new Histogram({
    name: 'tidesearch_query_duration_seconds',
    help: 'Search latency.',
    labelNames: ['index'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Read when scraped (thread-cpu.ts); a counter moves by what each role used since the last scrape.
  const threadCpuSeen = new Map<string, number>();
  new Counter({
    name: 'tidesearch_thread_cpu_seconds_total',
    help: 'CPU time by thread: main, each kind of worker thread by its module (channel-worker, channel-writer-thread, search-worker, analysis-worker, builder-thread), and other (GC and libuv threads, threads that ended). Linux; elsewhere all of it is other.',
    labelNames: ['thread'],
    registers: [registry],
    collect() {
      for (const [thread, s] of cpuSecondsByRole()) {
        const delta = s - (threadCpuSeen.get(thread) ?? 0);
        if (delta <= 0) continue;
        this.inc({ thread }, delta);
        threadCpuSeen.set(thread, s);
      }
    },
  });
  const httpErrors = new Counter({ name: 'tidesearch_http_errors_total', help: 'Requests answered with an error (admin envelope errors included).', labelNames: ['method', 'route', 'status', 'code'], registers: [registry] });

  // Progress events carry cumulative counts; counters need deltas, keyed by task and stage.
  const partitionsSeen = new Map<string, Set<string>>();
  const lastProgress = new Map<string, { rows: number; rateRows: number; rateAt: number }>();

  const offs = [
    events.on('build.progress', (p) => {
      const key = `${p.taskId}/${p.stage}`;
      const t = now();
      const prev = lastProgress.get(key);
      if (prev === undefined) {
        lastProgress.set(key, { rows: p.rowsDone, rateRows: p.rowsDone, rateAt: t });
        buildRows.inc({ index: p.index, stage: p.stage }, p.rowsDone);
      } else {
        const delta = p.rowsDone - prev.rows;
        if (delta > 0) buildRows.inc({ index: p.index, stage: p.stage }, delta);
        prev.rows = Math.max(prev.rows, p.rowsDone);
        if (t - prev.rateAt >= RATE_WINDOW_MS) {
          buildRate.set({ index: p.index, stage: p.stage }, ((p.rowsDone - prev.rateRows) * 1000) / (t - prev.rateAt));
          prev.rateRows = p.rowsDone;
          prev.rateAt = t;
        }
      }
      if (p.rowsTotal !== null && p.rowsTotal > 0) buildRatio.set({ index: p.index, stage: p.stage }, Math.min(1, p.rowsDone / p.rowsTotal));
      else if (p.rowsTotal === 0) buildRatio.set({ index: p.index, stage: p.stage }, 1);
    }),
    events.on('build.finished', (f) => {
      builds.inc({ index: f.index, result: f.ok ? 'success' : 'failure' });
      buildSeconds.set({ index: f.index }, f.durationMs / 1000);
      if (f.ok) docs.set({ index: f.index }, f.docs);
      for (const stage of ['dump', 'join', 'indexBuild', 'indexBackflow'] satisfies BuildStage[]) {
        buildRate.remove({ index: f.index, stage });
        lastProgress.delete(`${f.taskId}/${stage}`);
      }
    }),
    events.on('channel.applied', (a) => {
      if (a.events > 0) channelEvents.inc({ index: a.index, outcome: 'applied' }, a.events);
      if (a.skipped > 0) channelEvents.inc({ index: a.index, outcome: 'skipped' }, a.skipped);
      if (a.rejected > 0) channelEvents.inc({ index: a.index, outcome: 'rejected' }, a.rejected);
      if (a.lagMs !== null) lag.set({ index: a.index }, a.lagMs / 1000);
      for (const pos of a.positions) {
        position.set({ index: a.index, topic: pos.topic, partition: String(pos.partition) }, Number(pos.offset));
        let seen = partitionsSeen.get(a.index);
        if (seen === undefined) partitionsSeen.set(a.index, (seen = new Set()));
        seen.add(JSON.stringify([pos.topic, String(pos.partition)]));
      }
    }),
    events.on('channel.state', (s) => {
      for (const state of CHANNEL_STATES) channelState.set({ index: s.index, state }, state === s.state ? 1 : 0);
    }),
    events.on('query', (q) => {
      queries.inc({ index: q.index });
      queryLatency.observe({ index: q.index }, q.ms / 1000);
    }),
    events.on('http.error', (e) => {
      httpErrors.inc({ method: e.method, route: e.route, status: String(e.status), code: e.code });
    }),
    events.on('index.deleted', (d) => forgetIndex(d.index)),
  ];

  function forgetIndex(index: string): void {
    // remove() needs the full label set, so every label combination this module can create is listed.
    const stages = ['dump', 'join', 'indexBuild', 'indexBackflow'];
    for (const stage of stages) {
      buildRows.remove({ index, stage });
      buildRate.remove({ index, stage });
      buildRatio.remove({ index, stage });
    }
    for (const result of ['success', 'failure']) builds.remove({ index, result });
    for (const outcome of ['applied', 'skipped', 'rejected']) channelEvents.remove({ index, outcome });
    for (const state of CHANNEL_STATES) channelState.remove({ index, state });
    for (const key of partitionsSeen.get(index) ?? []) {
      const [topic, partition] = JSON.parse(key) as [string, string];
      position.remove({ index, topic, partition });
    }
    partitionsSeen.delete(index);
    buildSeconds.remove({ index });
    docs.remove({ index });
    lag.remove({ index });
    queries.remove({ index });
    queryLatency.remove({ index });
  }

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    forgetIndex,
    close() {
      for (const off of offs) off();
    },
  };
}
