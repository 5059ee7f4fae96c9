// Operational endpoints: Prometheus scrape (/metrics), liveness (/healthz), readiness (/readyz) and the
// console's chart data (/metrics/history/:index). Unauthenticated: they expose no documents or secrets.
import type { FastifyInstance } from 'fastify';
import type { ChannelHistory, Metrics } from '../../observability/index.js';

export interface Readiness {
  readonly ok: boolean;
  /** Why not ready, e.g. "catalog not open", "index emp: generation not loaded". */
  readonly reasons: readonly string[];
}

export interface MetricsRoutesOptions {
  readonly metrics: Pick<Metrics, 'render' | 'contentType'>;
  readonly history?: Pick<ChannelHistory, 'points' | 'bucketMs'>;
  readonly ready: () => Readiness | Promise<Readiness>;
  readonly now?: () => number;
}

export async function metricsRoutes(app: FastifyInstance, opts: MetricsRoutesOptions): Promise<void> {
  const startedAt = (opts.now ?? Date.now)();

  app.get('/metrics', async (_req, reply) => {
    const text = await opts.metrics.render();
    return reply.header('content-type', opts.metrics.contentType).send(text);
  });

  app.get('/healthz', async () => ({ status: 'ok', uptimeSec: Math.round(((opts.now ?? Date.now)() - startedAt) / 1000) }));

  app.get('/readyz', async (_req, reply) => {
    let state: Readiness;
    try {
      state = await opts.ready();
    } catch (err) {
      state = { ok: false, reasons: [`readiness check failed: ${err instanceof Error ? err.message : String(err)}`] };
    }
    return reply.code(state.ok ? 200 : 503).send({ ok: state.ok, reasons: state.reasons });
  });

  app.get<{ Params: { index: string } }>('/metrics/history/:index', async (req) => {
    const history = opts.history;
    return { index: req.params.index, bucketMs: history?.bucketMs ?? 10_000, points: history?.points(req.params.index) ?? [] };
  });
}
