// The admin API's request bodies: validated once, here, into typed objects. Field paths in errors are the
// paths the user wrote (`columns[2].token`), and messages say what was expected.
import { z } from 'zod';
import { TOKEN_NAMES } from '../../core/schema.js';
import { TidesearchError, type FieldError } from '../../errors/index.js';

const name = (what: string) =>
  z.string({ error: `${what} is required and must be a string` }).min(1, `${what} must not be empty`);

const IndexName = z
  .string({ error: 'indexName is required and must be a string' })
  .regex(/^[A-Za-z0-9_]{1,64}$/, 'indexName must be 1-64 characters of A-Z, a-z, 0-9 or _');

const Token = z.enum(TOKEN_NAMES, { error: (iss) => `unknown token ${JSON.stringify(iss.input)}; expected one of ${TOKEN_NAMES.join(', ')}` });

export const ColumnSchema = z.strictObject({
  name: name('column name'),
  token: Token.optional(),
  search: z.boolean({ error: 'search must be true or false' }).default(true),
});

const MySqlDatasource = z.strictObject({
  plugin: z.literal('MySQL'),
  host: name('datasource.host'),
  port: z.coerce.number().int().min(1).max(65535).default(3306),
  user: z.string().default('root'),
  password: z.string().default(''),
  dbName: name('datasource.dbName'),
});

const TikvDatasource = z
  .strictObject({
    plugin: z.literal('TiKV'),
    pdAddrs: z.string().min(1, 'pdAddrs must list host:port of PD, comma-separated').optional(),
    tidbAddrs: z.string().min(1).optional(),
    user: z.string().default('root'),
    password: z.string().default(''),
    dbName: name('datasource.dbName'),
  })
  .refine((d) => d.pdAddrs || d.tidbAddrs, { message: 'give pdAddrs (PD host:port, comma-separated) or tidbAddrs', path: ['pdAddrs'] });

const PLUGINS = ['MySQL', 'TiKV'] as const;

/** Accepts the plugin name case-insensitively ("mysql", "tikv") and reports an unknown one by name. */
const Datasource = z.preprocess(
  (v) => {
    if (v && typeof v === 'object' && 'plugin' in v && typeof (v as { plugin: unknown }).plugin === 'string') {
      const p = PLUGINS.find((x) => x.toLowerCase() === String((v as { plugin: string }).plugin).toLowerCase());
      if (p) return { ...v, plugin: p };
    }
    return v;
  },
  z.discriminatedUnion('plugin', [MySqlDatasource, TikvDatasource], {
    // Names only the plugin value: the input object may hold a password.
    error: (iss) => {
      const plugin = iss.input && typeof iss.input === 'object' ? (iss.input as { plugin?: unknown }).plugin : iss.input;
      return plugin === undefined ? 'datasource.plugin is required: "MySQL" or "TiKV"' : `unknown datasource plugin ${JSON.stringify(plugin)}; expected "MySQL" or "TiKV"`;
    },
  }),
);

export const IncrSchema = z.strictObject({
  plugin: z.string().refine((p) => p.toLowerCase() === 'ticdc-kafka', { message: 'unknown incr plugin; expected "TiCDC-Kafka"' }).transform(() => 'TiCDC-Kafka' as const),
  mqAddress: name('incr.mqAddress'),
  topic: name('incr.topic'),
  groupId: name('incr.groupId'),
  offsetResetStrategy: z.enum(['earliest', 'latest', 'none'], { error: 'offsetResetStrategy must be earliest, latest or none' }).default('earliest'),
  /** canal-json (TiDB extension), open-protocol, simple; auto detects from the first message. */
  protocol: z.enum(['auto', 'canal-json', 'open-protocol', 'simple']).default('auto'),
  /** The broker waits this long for data before answering a fetch. */
  maxWaitMs: z.coerce.number().int().min(10).max(10_000).default(500),
  /** Undecodable messages tolerated (dead-lettered) before the channel stops; 0 = no limit. */
  deadLetterLimit: z.coerce.number().int().min(0).default(1000),
  /** UTC offset of DATETIME values in change messages (TIMESTAMP values are UTC already). */
  timeZone: z.string().default('+00:00'),
  /** TiCDC HTTP API (host:port): when given, the changefeed is created for this index, starting at S. */
  cdcAddr: z.string().optional(),
});

export const CreateSchema = z.strictObject({
  datasource: Datasource,
  table: name('table'),
  indexName: IndexName,
  columns: z.array(ColumnSchema, { error: 'columns must be an array of {name, token, search}' }).min(1, 'columns must list at least one column'),
  incr: IncrSchema.optional(),
});

export const IndexNameSchema = z.object({ indexName: IndexName, log: z.boolean().default(false) });
export const TaskSchema = z.object({ taskid: z.coerce.number({ error: 'taskid must be a number' }).int().positive(), log: z.boolean().default(false) });
export const CreateIncrSchema = z.strictObject({ indexName: IndexName, incr: IncrSchema });

export type CreateRequest = z.infer<typeof CreateSchema>;
export type Datasource = CreateRequest['datasource'];
export type IncrConfig = z.infer<typeof IncrSchema>;

function pathName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Parses `body` with `schema` or throws BAD_REQUEST listing every offending field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const fieldErrors: FieldError[] = r.error.issues.map((iss) => {
    const field = pathName(iss.path);
    let content = iss.message;
    if (iss.code === 'unrecognized_keys') {
      const keys = (iss as { keys: string[] }).keys;
      return { name: field ? `${field}.${keys[0]}` : keys[0]!, content: `unknown field ${keys.map((k) => JSON.stringify(k)).join(', ')}` };
    }
    if (iss.code === 'invalid_type' && /received undefined/.test(content)) content = `${field} is required`;
    return { name: field, content };
  });
  const summary = fieldErrors.map((f) => `${f.name || 'body'}: ${f.content}`).join('; ');
  throw new TidesearchError('BAD_REQUEST', `invalid request: ${summary}`, { field: fieldErrors[0]?.name, fieldErrors });
}

/** Rejects duplicate column names, naming the second occurrence. */
export function checkDuplicateColumns(columns: readonly { name: string }[]): void {
  const seen = new Map<string, number>();
  columns.forEach((c, i) => {
    const prev = seen.get(c.name.toLowerCase());
    if (prev !== undefined) {
      throw new TidesearchError('BAD_REQUEST', `column '${c.name}' is listed twice (columns[${prev}] and columns[${i}])`, { field: `columns[${i}].name` });
    }
    seen.set(c.name.toLowerCase(), i);
  });
}
