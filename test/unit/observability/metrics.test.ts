// Metrics are derived from events: what a Prometheus scrape shows after builds, channel batches and queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventBus } from '../../../src/observability/events.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createChannelHistory } from '../../../src/observability/channel-history.js';

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

test('build progress becomes row counters, rate and progress ratio', async () => {
  let clock = 0;
  const bus = createEventBus();
  const metrics = createMetrics(bus, { defaultMetrics: false, now: () => clock });
  bus.emit('build.progress', { index: 'emp', taskId: 1, stage: 'dump', rowsDone: 1000, rowsTotal: 4000 });
  clock = 2000;
  bus.emit('build.progress', { index: 'emp', taskId: 1, stage: 'dump', rowsDone: 3000, rowsTotal: 4000 });
  const text = await metrics.render();
  assert.equal(sample(text, 'tidesearch_build_rows_total', 'index="emp",stage="dump"'), 3000);
  assert.equal(sample(text, 'tidesearch_build_rows_per_second', 'index="emp",stage="dump"'), 1000);
  assert.equal(sample(text, 'tidesearch_build_stage_progress_ratio', 'index="emp",stage="dump"'), 0.75);
  bus.emit('build.finished', { index: 'emp', taskId: 1, ok: true, docs: 4000, durationMs: 2500 });
  const after = await metrics.render();
  assert.equal(sample(after, 'tidesearch_builds_total', 'index="emp",result="success"'), 1);
  assert.equal(sample(after, 'tidesearch_index_documents', 'index="emp"'), 4000);
  assert.equal(sample(after, 'tidesearch_build_rows_per_second', 'index="emp",stage="dump"'), undefined);
});

test('channel batches, state, queries and HTTP errors are exposed; deleting an index drops its series', async () => {
  const bus = createEventBus();
  const metrics = createMetrics(bus, { defaultMetrics: false });
  bus.emit('channel.state', { index: 'emp', state: 'running' });
  bus.emit('channel.applied', { index: 'emp', events: 5, skipped: 2, rejected: 1, lagMs: 1500, positions: [{ topic: 't', partition: 3, offset: '42' }] });
  bus.emit('channel.applied', { index: 'emp', events: 1, skipped: 0, rejected: 0, lagMs: null, positions: [] });
  bus.emit('query', { index: 'emp', ms: 3, hits: 10 });
  bus.emit('query', { index: 'emp', ms: 300, hits: 1 });
  bus.emit('http.error', { method: 'POST', route: '/solr/config/config.ajax', status: 200, code: 'INDEX_EXISTS' });
  const text = await metrics.render();
  assert.equal(sample(text, 'tidesearch_channel_events_total', 'index="emp",outcome="applied"'), 6);
  assert.equal(sample(text, 'tidesearch_channel_events_total', 'index="emp",outcome="skipped"'), 2);
  assert.equal(sample(text, 'tidesearch_channel_events_total', 'index="emp",outcome="rejected"'), 1);
  assert.equal(sample(text, 'tidesearch_channel_lag_seconds', 'index="emp"'), 1.5);
  assert.equal(sample(text, 'tidesearch_channel_position', 'index="emp",topic="t",partition="3"'), 42);
  assert.equal(sample(text, 'tidesearch_channel_state', 'index="emp",state="running"'), 1);
  assert.equal(sample(text, 'tidesearch_channel_state', 'index="emp",state="failed"'), 0);
  assert.equal(sample(text, 'tidesearch_queries_total', 'index="emp"'), 2);
  assert.equal(sample(text, 'tidesearch_query_duration_seconds_bucket', 'le="0.005",index="emp"'), 1);
  assert.equal(sample(text, 'tidesearch_query_duration_seconds_count', 'index="emp"'), 2);
  assert.equal(sample(text, 'tidesearch_http_errors_total', 'method="POST",route="/solr/config/config.ajax",status="200",code="INDEX_EXISTS"'), 1);

  bus.emit('index.deleted', { index: 'emp' });
  const after = await metrics.render();
  assert.ok(!after.includes('index="emp"'), after);
  metrics.close();
});

test('channel history keeps per-bucket event rates and the latest lag for one hour', () => {
  let clock = 1_000_000;
  const bus = createEventBus();
  const history = createChannelHistory(bus, { now: () => clock });
  bus.emit('channel.applied', { index: 'emp', events: 50, skipped: 0, rejected: 0, lagMs: 2000, positions: [] });
  bus.emit('channel.applied', { index: 'emp', events: 50, skipped: 1, rejected: 0, lagMs: 500, positions: [] });
  clock += 10_000;
  bus.emit('channel.applied', { index: 'emp', events: 10, skipped: 0, rejected: 0, lagMs: null, positions: [] });
  assert.deepEqual(history.points('emp').map((p) => [p.eventsPerSec, p.skipped, p.lagSec]), [[10, 1, 0.5], [1, 0, null]]);
  clock += 3_600_001;
  assert.deepEqual(history.points('emp'), []);
});

test('a commit time ahead of the clock shows as negative lag in the gauge and the history, as lag_ms does in status', async () => {
  let clock = 5_000_000;
  const bus = createEventBus();
  const metrics = createMetrics(bus, { defaultMetrics: false });
  const history = createChannelHistory(bus, { now: () => clock });
  bus.emit('channel.applied', { index: 'emp', events: 3, skipped: 0, rejected: 0, lagMs: -600_000, positions: [] });
  assert.equal(sample(await metrics.render(), 'tidesearch_channel_lag_seconds', 'index="emp"'), -600);
  assert.deepEqual(history.points('emp').map((p) => p.lagSec), [-600]);
  clock += 10_000;
  bus.emit('channel.applied', { index: 'emp', events: 1, skipped: 0, rejected: 0, lagMs: 250, positions: [] });
  assert.equal(sample(await metrics.render(), 'tidesearch_channel_lag_seconds', 'index="emp"'), 0.25);
  assert.deepEqual(history.points('emp').map((p) => p.lagSec), [-600, 0.25]);
  metrics.close();
  history.close();
});
