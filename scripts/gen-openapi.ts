// Generates docs/openapi.json (OpenAPI 3.1) for the admin API from the zod schemas that validate its
// requests (src/api/admin/requests.ts), so the reference cannot drift from the validation;
// test/unit/docs/openapi.test.ts fails when the committed file differs from what this produces.
// Response bodies have no zod schema (present.ts builds them); their schemas are written out here.
// Usage: node --import tsx scripts/gen-openapi.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CreateIncrSchema, CreateSchema, IndexNameSchema, TaskSchema } from '../src/api/admin/requests.js';
import { ERROR_CODES } from '../src/errors/codes.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Request schema as a client must send it (input side: defaults shown, coercions as the target type). */
function requestSchema(schema: z.ZodType): Json {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { [k: string]: Json };
  delete s['$schema'];
  return s;
}

/** Descriptions for request fields, keyed by component and property path; applied onto the generated schemas. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  'CreateRequest.datasource': 'Where the table lives. `plugin` is matched case-insensitively ("mysql", "tikv" work too).',
  'CreateRequest.table': 'Source table name (quoted as an identifier, never interpolated).',
  'CreateRequest.indexName': 'Name of the new index: 1-64 characters of A-Z, a-z, 0-9, _.',
  'CreateRequest.columns': 'Columns to index; columns not listed are not indexed. Key columns are always included.',
  'CreateRequest.incr': 'Optional incremental channel (TiCDC change messages in Kafka), started after the full build.',
  'Column.token': 'Analyzer: ik, like, pinyin, string (exact), text_ws, standard. See docs/analyzers.md.',
  'Column.search': 'false: stored and returned, not searchable.',
  'Incr.plugin': 'Must be "TiCDC-Kafka" (case-insensitive).',
  'Incr.mqAddress': 'Kafka bootstrap brokers, host:port, comma-separated.',
  'Incr.groupId': 'Consumer group id, used for offset commits (visibility) and for the initial position.',
  'Incr.protocol': 'TiCDC message protocol; auto detects it from the first message.',
  'Incr.maxWaitMs': 'How long the broker may wait for data before answering a fetch.',
  'Incr.deadLetterLimit': 'Undecodable messages dead-lettered before the channel stops; 0 = no limit.',
  'Incr.timeZone': 'UTC offset of DATETIME values in change messages (TIMESTAMP values are UTC already).',
  'Incr.cdcAddr': 'TiCDC HTTP API host:port; when given, the changefeed is created for this index starting at the snapshot.',
  'IndexNameRequest.log': 'true: include the running build task log in `logs` (get_index_status) or the channel log (get_incr_status).',
  'TaskRequest.log': 'true: include the task log lines in `logs`.',
};

function describe(component: string, schema: Json): Json {
  const props = (schema as { properties?: Record<string, { [k: string]: Json }> }).properties ?? {};
  for (const [name, prop] of Object.entries(props)) {
    const d = DESCRIPTIONS[`${component}.${name}`];
    if (d) prop['description'] = d;
  }
  return schema;
}

const str = (description: string): Json => ({ type: 'string', description });
const int = (description: string): Json => ({ type: 'integer', description });
const nullable = (type: string, description: string): Json => ({ type: [type, 'null'], description });

const stageProgress: Json = {
  type: 'object',
  properties: {
    rowsDone: int('Rows this stage has finished.'),
    rowsTotal: int('Rows this stage expects (0 while unknown).'),
    percent: { type: 'number', description: 'rowsDone / rowsTotal in percent, one decimal; 100 once the task is complete.' },
    startedAt: nullable('integer', 'Epoch milliseconds when the stage started.'),
    finishedAt: nullable('integer', 'Epoch milliseconds when the stage finished.'),
  },
  required: ['rowsDone', 'rowsTotal', 'percent', 'startedAt', 'finishedAt'],
};

const TIME = 'Server local time, `YYYY-MM-DD HH:mm:ss` (no zone suffix).';

const taskStatus: Json = {
  type: 'object',
  properties: {
    taskid: int('The task id.'),
    complete: { type: 'boolean', description: 'true once the task has ended, successfully or not.' },
    faild: { type: 'boolean', description: 'true when the task ended in failure (spelling as in the original API).' },
    stage: { type: 'string', enum: ['dump', 'join', 'indexBuild', 'indexBackflow'], description: 'Current (or last) stage.' },
    errs: str('Failure reason; empty unless faild.'),
    logs: str('Task log lines (`ISO-time line`), newline-separated; only with log:true.'),
    state: { type: 'string', enum: ['running', 'complete', 'failed'] },
    indexName: str('Index the task builds.'),
    percent: int('Overall progress: mean of the stage percents; 100 when complete.'),
    progress: {
      type: 'object',
      properties: Object.fromEntries(['dump', 'join', 'indexBuild', 'indexBackflow'].map((s) => [s, { $ref: '#/components/schemas/StageProgress' }])),
      required: ['dump', 'join', 'indexBuild', 'indexBackflow'],
    },
    createTime: str(TIME),
    updateTime: str(TIME),
  },
  required: ['taskid', 'complete', 'faild', 'stage', 'errs', 'state', 'indexName', 'percent', 'progress', 'createTime', 'updateTime'],
};

const channelStatus: Json = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['starting', 'running', 'catching-up', 'retrying', 'stopped', 'failed'] },
    reason: nullable('string', 'Why the channel is retrying, stopped or failed.'),
    lag_ms: nullable('integer', 'now − commit time of the last applied change, ms.'),
    watermark_lag_ms: nullable('integer', 'now − the last watermark (resolved ts) seen, ms.'),
    last_60_sec: int('Change events applied in the last 60 s.'),
    applied: int('Events applied since the server started.'),
    skipped: int('Events skipped because the index already held that version or newer.'),
    ignored: int('Events for other tables in the same topic.'),
    rejected: int('Undecodable messages (dead-lettered).'),
    protocol: nullable('string', 'Protocol in use (detected or configured).'),
  },
};

const indexStatus: Json = {
  type: 'object',
  properties: {
    doc_num: int('Documents in the live generation.'),
    latest_fullbuild_time: nullable('string', `End of the last successful full build. ${TIME}`),
    incr_ready: { type: 'boolean', description: 'true when the index has a channel that is running or catching up.' },
    indexName: str('Index name.'),
    source: str('`db.table` of the source.'),
    live_generation: nullable('integer', 'Generation number answering queries.'),
    snapshot_ts: nullable('string', 'Snapshot position S of the live generation (TSO as a decimal string).'),
    rebuild_needed: nullable('string', 'Why a rebuild is needed (e.g. a DDL changed an indexed column), or null.'),
    building_taskid: nullable('integer', 'Running build task, if any.'),
    last_taskid: nullable('integer', 'Most recent task of this index.'),
    topk: {
      type: ['object', 'null'],
      description: 'Stored top-K lists of the frequent terms of the live generation: ranked in the background after a build goes live; until a term\'s list is ranked its queries rank every hit. null before the first build.',
      properties: {
        ranked: int('Lists ranked and in use.'),
        pending: int('Lists still to rank.'),
        retired: int('Lists the channel retired since the build, because more than 1000 changed rows hold their term: its queries rank every hit until the next build.'),
      },
    },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, type: str('Source column type.'), token: { type: 'string' }, search: { type: 'boolean' }, key: { type: 'boolean' } },
      },
    },
    incr: {
      oneOf: [
        {
          allOf: [
            { $ref: '#/components/schemas/ChannelStatus' },
            { type: 'object', properties: { configured_state: { type: 'string', enum: ['running', 'stopped', 'failed'] }, topic: { type: 'string' } } },
          ],
        },
        { type: 'null' },
      ],
    },
    logs: str('Log of the running build task; only with log:true while a build runs.'),
  },
};

const incrStatus: Json = {
  allOf: [
    { $ref: '#/components/schemas/ChannelStatus' },
    {
      type: 'object',
      properties: {
        current_cursor: {
          type: 'array',
          description: 'Next offset to read per partition, as stored with the live generation.',
          items: {
            type: 'object',
            properties: {
              mqName: str('`topic-partition`.'),
              cursor: int('Next offset (number).'),
              offset: str('Next offset (decimal string, exact).'),
              end: nullable('string', 'Broker end offset at the last fetch.'),
            },
          },
        },
        logs: str('Channel log lines; only with log:true.'),
        last_commit_ts: nullable('string', 'commitTs (TSO, decimal) of the last applied change.'),
        last_watermark_ts: nullable('string', 'Last watermark / resolved ts seen (decimal).'),
        rebuild_needed: nullable('string', 'Why a rebuild is needed, or null.'),
        ddl: { type: 'array', description: 'The 10 most recent DDL events.', items: { type: 'object', properties: { commitTs: { type: 'string' }, type: { type: 'string' }, query: { type: 'string' }, affectsIndex: { type: 'boolean' }, at: { type: 'integer' } } } },
        dead_letters: int('Messages in the dead-letter table.'),
        recent_dead_letters: { type: 'array', items: { type: 'object', properties: { mqName: { type: 'string' }, offset: { type: 'string' }, reason: { type: 'string' }, at: { type: 'integer' } } } },
        topic: { type: 'string' },
      },
    },
  ],
};

function envelope(bizresult: Json): Json {
  return {
    type: 'object',
    properties: {
      success: { type: 'boolean', description: 'false exactly when errormsg is non-empty.' },
      errormsg: { type: 'array', items: { type: 'string' } },
      msg: { type: 'array', items: { type: 'string' }, description: 'Notes about what was done (e.g. how a column was mapped).' },
      bizresult,
      errorcode: { type: 'string', enum: Object.keys(ERROR_CODES), description: 'On errors: the catalog code (docs/errors.md).' },
      errorfields: { type: 'array', description: 'On errors concerning request fields.', items: { $ref: '#/components/schemas/FieldError' } },
    },
    required: ['success', 'errormsg', 'msg', 'bizresult'],
  };
}

/** emethod (canonical `do_` spelling) → request and success-bizresult schema names. */
const CALLS: readonly (readonly [string, string | null, Json, string])[] = [
  ['do_create', 'CreateRequest', { type: 'object', properties: { taskid: int('The full-build task.') }, required: ['taskid'] }, 'Create an index and start its full build (answers at once).'],
  ['do_get_task_status', 'TaskRequest', { $ref: '#/components/schemas/TaskStatus' }, 'Stage, completion and progress of a task.'],
  ['do_get_index_status', 'IndexNameRequest', { $ref: '#/components/schemas/IndexStatus' }, 'Document count, last full build, channel state.'],
  ['do_fullbuild', 'IndexNameRequest', { type: 'object', properties: { taskid: int('The new full-build task.') }, required: ['taskid'] }, 'Rebuild into a new generation; the old one serves until the swap.'],
  ['do_create_incr', 'CreateIncrRequest', { type: 'object', properties: { logs: str('What was done, newline-separated.') } }, 'Add an incremental channel to an index that has none.'],
  ['do_get_incr_status', 'IndexNameRequest', { $ref: '#/components/schemas/IncrStatus' }, 'Positions, rates, lag, DDL and dead letters of the channel.'],
  ['do_delete_index', 'IndexNameRequest', { type: 'object' }, 'Stop the channel and any build; remove the definition and all files.'],
  ['do_list_indexes', null, { type: 'object', properties: { indexes: { type: 'array', items: { $ref: '#/components/schemas/IndexStatus' } } } }, 'Every index with its status fields (an addition to the original API).'],
];

export function buildOpenApi(): Record<string, unknown> {
  const schemas: Record<string, Json> = {
    CreateRequest: describe('CreateRequest', requestSchema(CreateSchema)),
    CreateIncrRequest: requestSchema(CreateIncrSchema),
    IndexNameRequest: describe('IndexNameRequest', requestSchema(IndexNameSchema)),
    TaskRequest: describe('TaskRequest', requestSchema(TaskSchema)),
    FieldError: { type: 'object', properties: { name: str('Field path as written in the request, e.g. `columns[2].token`.'), content: str('What is wrong with it.') }, required: ['name', 'content'] },
    StageProgress: stageProgress,
    TaskStatus: taskStatus,
    ChannelStatus: channelStatus,
    IndexStatus: indexStatus,
    IncrStatus: incrStatus,
  };
  // Nested objects get the column/incr descriptions too.
  const create = schemas['CreateRequest'] as { properties: Record<string, { [k: string]: Json }> };
  describe('Column', create.properties['columns']!['items']!);
  describe('Incr', create.properties['incr']!);
  describe('Incr', (schemas['CreateIncrRequest'] as { properties: Record<string, Json> }).properties['incr']!);

  const operation = (method: 'get' | 'post'): Json => ({
    operationId: `admin_${method}`,
    summary: 'Admin call selected by emethod',
    description: [
      'One endpoint serves every admin call; `emethod` picks it. Spellings `do_create`, `create`, `doCreate` are the same call.',
      'The body is JSON or JSON5. The answer is always HTTP 200 with the envelope; see `x-emethods` for each call\'s request and bizresult.',
      'When the server runs with TIDESEARCH_TOKEN, send it as `Authorization: Bearer <token>`, `X-Tidesearch-Token: <token>` or `?token=`.',
    ].join(' '),
    parameters: [
      { name: 'action', in: 'query', required: false, schema: { type: 'string', const: 'collection_action' } },
      { name: 'emethod', in: 'query', required: true, schema: { type: 'string', enum: CALLS.map(([m]) => m) } },
      { name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'Admin token (alternative to the headers).' },
    ],
    ...(method === 'post'
      ? {
          requestBody: {
            required: false,
            content: {
              'application/json': { schema: { oneOf: [...new Set(CALLS.flatMap(([, r]) => (r ? [r] : [])))].map((r) => ({ $ref: `#/components/schemas/${r}` })) } },
            },
          },
        }
      : {}),
    responses: {
      '200': {
        description: 'The envelope (success and business errors alike).',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } },
      },
    },
  });
  schemas['Envelope'] = envelope({ type: 'object', description: 'The call\'s result; `{}` on errors.' });

  const xEmethods = Object.fromEntries(
    CALLS.map(([m, req, biz, summary]) => [
      m,
      { summary, request: req ? { $ref: `#/components/schemas/${req}` } : { type: 'object', description: 'No body needed.' }, response: envelope(biz) },
    ]),
  );

  const paths: Record<string, Json> = {};
  for (const prefix of ['/solr', '/tjs']) paths[`${prefix}/config/config.ajax`] = { post: operation('post'), get: operation('get') };
  // operationIds must be unique across the document.
  (paths['/tjs/config/config.ajax'] as { post: { operationId: string }; get: { operationId: string } }).post.operationId = 'admin_post_tjs';
  (paths['/tjs/config/config.ajax'] as { post: { operationId: string }; get: { operationId: string } }).get.operationId = 'admin_get_tjs';

  return {
    openapi: '3.1.0',
    info: {
      title: 'Tidesearch admin API',
      version: '0.1.0',
      description: 'Generated by scripts/gen-openapi.ts from src/api/admin/requests.ts. Do not edit by hand. Prose reference: docs/api.md.',
    },
    paths,
    components: { schemas },
    'x-emethods': xEmethods,
  };
}

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  console.log(`wrote ${OPENAPI_PATH}`);
}
