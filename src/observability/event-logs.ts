// Log lines for the instrumentation events worth a line (outcomes and state changes, not every progress tick).
import type { EventBus } from './events.js';
import { indexLogger, type Logger } from './logger.js';

export function subscribeLogs(events: EventBus, logger: Logger): () => void {
  const offs = [
    events.on('build.finished', (f) => {
      const log = indexLogger(logger, f.index, f.taskId);
      if (f.ok) log.info({ docs: f.docs, durationMs: f.durationMs }, 'build finished');
      else log.error({ durationMs: f.durationMs, error: f.error }, 'build failed');
    }),
    events.on('channel.state', (s) => {
      const log = indexLogger(logger, s.index);
      if (s.state === 'failed') log.error({ state: s.state, reason: s.reason }, 'channel failed');
      else log.info({ state: s.state, reason: s.reason }, `channel ${s.state}`);
    }),
    events.on('http.error', (e) => {
      const entry = { method: e.method, route: e.route, status: e.status, code: e.code };
      if (e.status >= 500) logger.error(entry, 'request failed');
      else logger.debug(entry, 'request rejected');
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
