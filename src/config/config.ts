// The service's own settings: one schema, defaults in one place, units in names. Parsed once at start.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { z } from 'zod';
import { TidesearchError } from '../errors/index.js';

export const ConfigSchema = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Catalog (meta.db) and index generations live here. */
  dataDir: z.string().default('./data'),
  /** When set, admin calls must carry it (Authorization: Bearer, X-Tidesearch-Token, or ?token=). */
  token: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Offset applied to DATETIME values (no zone of their own) when converting to UTC. */
  sourceTimeZone: z.string().default('+00:00'),
  /** Rows per batch handed through the build pipeline. */
  buildBatchRows: z.coerce.number().int().min(100).max(100_000).default(2000),
  /** Connections reading key ranges in parallel during the dump. */
  dumpParallel: z.coerce.number().int().min(1).max(32).default(2),
  /** Terms in more than this many documents of a field get a stored top-K list, ranked after each build. */
  topkMinDocs: z.coerce.number().int().min(1).default(50_000),
  /** Worker threads that analyse text during a build; 0 = number of cores. */
  analysisWorkers: z.coerce.number().int().min(0).max(64).default(0),
  /** Lines kept per task log; older lines are dropped (the first lines are kept). */
  taskLogMaxLines: z.coerce.number().int().min(100).default(5000),
  /** ik user dictionary and stop words (see docs/analyzers.md); read at the start of each build. */
  userDictPath: z.string().optional(),
  stopWordsPath: z.string().optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Builds the config from CLI flags and TIDESEARCH_* environment variables (flags win). */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      token: { type: 'string' },
      'log-level': { type: 'string' },
    },
    allowPositionals: true,
    strict: false,
  });
  const raw = {
    host: values.host ?? env.TIDESEARCH_HOST,
    port: values.port ?? env.TIDESEARCH_PORT,
    dataDir: values.data ?? env.TIDESEARCH_DATA,
    token: values.token ?? env.TIDESEARCH_TOKEN,
    logLevel: values['log-level'] ?? env.TIDESEARCH_LOG_LEVEL,
    sourceTimeZone: env.TIDESEARCH_SOURCE_TZ,
    buildBatchRows: env.TIDESEARCH_BUILD_BATCH_ROWS,
    dumpParallel: env.TIDESEARCH_DUMP_PARALLEL,
    topkMinDocs: env.TIDESEARCH_TOPK_MIN_DOCS,
    analysisWorkers: env.TIDESEARCH_ANALYSIS_WORKERS,
    userDictPath: env.TIDESEARCH_USER_DICT,
    stopWordsPath: env.TIDESEARCH_STOP_WORDS,
  };
  const stripped = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(stripped);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new TidesearchError('BAD_REQUEST', `invalid setting ${field}: ${issue.message}`, { field });
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
