// Structured JSON logs (pino). Index and task context travel as child-logger bindings so every line of a
// build or channel carries `index` and `taskId`; secrets (passwords, tokens, Authorization) are redacted.
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** One short human-readable line per entry instead of JSON (for a terminal). */
  readonly pretty?: boolean;
  /** Where lines go; stdout by default. Tests pass a collecting stream. */
  readonly destination?: DestinationStream;
}

// pino's redaction needs explicit paths (a `*` matches one level). These cover the admin bodies
// (`datasource.password`), HTTP request logs and anything logged with a `token` field.
const SECRET_KEYS = ['password', 'token', 'authorization', 'Authorization', 'x-tidesearch-token'];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers["x-tidesearch-token"]',
  'body.datasource.password',
];

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? (opts.pretty ? prettyStream(process.stdout) : pino.destination(1));
  return pino(
    {
      level: opts.level,
      base: { service: 'tidesearch' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** The logger for work on one index (and, when given, one task): every line carries both. */
export function indexLogger(parent: Logger, index: string, taskId?: number): Logger {
  return parent.child(taskId === undefined ? { index } : { index, taskId });
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A tiny stand-in for pino-pretty (not installed): `time LEVEL [index#task] msg {rest}`. */
export function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        out.write(formatPretty(line) + '\n');
      }
      done();
    },
  });
}

export function formatPretty(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const { time, level, msg, index, taskId, service: _service, pid: _pid, hostname: _host, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const where = index === undefined ? '' : ` [${String(index)}${taskId === undefined ? '' : `#${String(taskId)}`}]`;
  const extra = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
  return `${clock} ${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)}${where} ${String(msg ?? '')}${extra}`;
}
