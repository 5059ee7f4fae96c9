// The error catalog: every code a user can see, with what it means. docs/errors.md is generated from this
// list and a test keeps them in step.

export interface ErrorCodeInfo {
  /** HTTP status for the Solr/query API; the admin API always answers 200 with the envelope. */
  readonly status: number;
  readonly retriable: boolean;
  readonly description: string;
}

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, retriable: false, description: 'The request body is not valid JSON/JSON5, or a field has the wrong type or value.' },
  UNKNOWN_METHOD: { status: 404, retriable: false, description: 'The `action` or `emethod` query parameter names no known admin call.' },
  UNAUTHORIZED: { status: 401, retriable: false, description: 'TIDESEARCH_TOKEN is set and the request carries no matching token.' },
  INDEX_EXISTS: { status: 409, retriable: false, description: 'An index with this name already exists; delete it first or choose another name.' },
  INDEX_NOT_FOUND: { status: 404, retriable: false, description: 'No index with this name.' },
  TASK_NOT_FOUND: { status: 404, retriable: false, description: 'No task with this id.' },
  TASK_RUNNING: { status: 409, retriable: true, description: 'A build of this index is already running; wait for it to finish.' },
  INCR_EXISTS: { status: 409, retriable: false, description: 'The index already has an incremental channel.' },
  INCR_NOT_FOUND: { status: 404, retriable: false, description: 'The index has no incremental channel.' },
  SOURCE_UNREACHABLE: { status: 502, retriable: true, description: 'The database server could not be reached or refused the login.' },
  SOURCE_ERROR: { status: 502, retriable: true, description: 'The database server answered a query with an error.' },
  DATABASE_NOT_FOUND: { status: 400, retriable: false, description: 'The source has no database with this name.' },
  TABLE_NOT_FOUND: { status: 400, retriable: false, description: 'The source database has no table with this name.' },
  COLUMN_NOT_FOUND: { status: 400, retriable: false, description: 'A column listed in `columns` does not exist in the table.' },
  NO_PRIMARY_KEY: { status: 400, retriable: false, description: 'The table has neither a primary key nor a NOT NULL unique key, so rows cannot be identified.' },
  PD_UNREACHABLE: { status: 502, retriable: true, description: 'None of the PD addresses answered.' },
  NO_TIDB_ALIVE: { status: 502, retriable: true, description: 'PD answered but lists no live TiDB server.' },
  GC_LIFE_TIME_TOO_SHORT: { status: 400, retriable: false, description: 'TiDB would garbage-collect the snapshot before the dump ends; raise tidb_gc_life_time.' },
  STREAM_UNREACHABLE: { status: 502, retriable: true, description: 'The Kafka brokers could not be reached.' },
  STREAM_NO_POSITION: { status: 400, retriable: false, description: 'offsetResetStrategy is "none" and the consumer group has no committed position.' },
  DECODE_FAILED: { status: 422, retriable: false, description: 'A change message could not be decoded; it went to the dead-letter table.' },
  CDC_API_ERROR: { status: 502, retriable: true, description: 'The TiCDC HTTP API refused or failed a changefeed call.' },
  QUERY_SYNTAX: { status: 400, retriable: false, description: 'The query (q/fq) could not be parsed; the message says where.' },
  UNDEFINED_FIELD: { status: 400, retriable: false, description: 'The query, sort, fl or facet names a field the index does not have.' },
  INTERNAL: { status: 500, retriable: false, description: 'An unexpected failure inside Tidesearch; the log has the details.' },
  SHUTTING_DOWN: { status: 503, retriable: true, description: 'The server is stopping.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
