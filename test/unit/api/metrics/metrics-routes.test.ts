// /metrics, /healthz, /readyz and /metrics/history answer as a scraper, a load balancer and the console expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { metricsRoutes, type Readiness } from '../../../../src/api/metrics/metrics-routes.js';
import { createObservability } from '../../../../src/observability/index.js';

test('metrics, health, readiness and history', async () => {
  const obs = createObservability({ logLevel: 'silent', defaultMetrics: true });
  let readiness: Readiness = { ok: false, reasons: ['catalog not open'] };
  const app = Fastify();
  await app.register(metricsRoutes, { metrics: obs.metrics, history: obs.history, ready: () => readiness });
  obs.events.emit('query', { index: 'emp', ms: 4, hits: 2 });
  obs.events.emit('channel.applied', { index: 'emp', events: 20, skipped: 0, rejected: 0, lagMs: 800, positions: [] });

  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
  assert.match(metrics.body, /^tidesearch_queries_total\{index="emp"\} 1$/m);
  assert.match(metrics.body, /^tidesearch_process_resident_memory_bytes \d+/m);

  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).json().status, 'ok');

  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(notReady.statusCode, 503);
  assert.deepEqual(notReady.json(), { ok: false, reasons: ['catalog not open'] });
  readiness = { ok: true, reasons: [] };
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

  const history = (await app.inject({ method: 'GET', url: '/metrics/history/emp' })).json();
  assert.equal(history.points.length, 1);
  assert.equal(history.points[0].eventsPerSec, 2);
  assert.equal(history.points[0].lagSec, 0.8);
  await app.close();
  obs.close();
});
