// Re-exports and the one constructor the composition root calls: events, logger, metrics and channel history.
import type { DestinationStream, LevelWithSilent } from 'pino';
import { createChannelHistory, type ChannelHistory } from './channel-history.js';
import { createEventBus, type EventBus } from './events.js';
import { createLogger, type Logger } from './logger.js';
import { subscribeLogs } from './event-logs.js';
import { createMetrics, type Metrics } from './metrics.js';

export * from './events.js';
export * from './logger.js';
export * from './metrics.js';
export * from './channel-history.js';

export interface ObservabilityOptions {
  readonly logLevel: LevelWithSilent;
  readonly pretty?: boolean;
  readonly destination?: DestinationStream;
  /** Node process metrics (memory, event loop, GC); on by default. */
  readonly defaultMetrics?: boolean;
}

export interface Observability {
  readonly events: EventBus;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly history: ChannelHistory;
  close(): void;
}

export function createObservability(opts: ObservabilityOptions): Observability {
  const logger = createLogger({ level: opts.logLevel, ...(opts.pretty !== undefined ? { pretty: opts.pretty } : {}), ...(opts.destination ? { destination: opts.destination } : {}) });
  const events = createEventBus((name, err) => logger.error({ err, event: name }, 'instrumentation listener failed'));
  const metrics = createMetrics(events, { defaultMetrics: opts.defaultMetrics ?? true });
  const history = createChannelHistory(events);
  const unsubscribeLogs = subscribeLogs(events, logger);
  return {
    events,
    logger,
    metrics,
    history,
    close() {
      unsubscribeLogs();
      history.close();
      metrics.close();
    },
  };
}
