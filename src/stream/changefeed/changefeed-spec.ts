// What a Tidesearch changefeed is: one table, from snapshot S, into a Kafka topic as canal-json with TiDB's
// extension. Renders the same definition as a TiCDC v2 API body, a `cdc cli` command and its TOML config.
import type { Tso } from '../../core/tso.js';

export interface ChangefeedSpec {
  /** Must match TiCDC's `^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$`; see changefeedIdFor(). */
  readonly changefeedId: string;
  /** The snapshot S: TiCDC emits every change with commitTs > S. */
  readonly startTs: Tso;
  /** Kafka bootstrap list as the user gave it (`incr.mqAddress`), comma-separated host:port. */
  readonly mqAddress: string;
  readonly topic: string;
  readonly db: string;
  readonly table: string;
}

/** A changefeed id TiCDC accepts, derived from the index name (other characters become '-'). */
export function changefeedIdFor(indexName: string): string {
  const slug = indexName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `tidesearch-${slug === '' ? 'index' : slug}`;
}

/** The Kafka sink URI: canal-json with the TiDB extension, so messages carry commitTs and watermarks. */
export function sinkUri(spec: Pick<ChangefeedSpec, 'mqAddress' | 'topic'>): string {
  const brokers = spec.mqAddress.split(',').map((s) => s.trim()).filter((s) => s !== '').join(',');
  return `kafka://${brokers}/${encodeURIComponent(spec.topic)}?protocol=canal-json&enable-tidb-extension=true`;
}

/**
 * TiDB table-filter rule selecting exactly one table. Names with filter metacharacters are backquoted
 * (the filter syntax's quoting), so `a*` cannot match `ab`.
 */
export function tableFilterRule(db: string, table: string): string {
  const part = (name: string): string => (/^[A-Za-z0-9_$]+$/.test(name) ? name : `\`${name.replaceAll('`', '``')}\``);
  return `${part(db)}.${part(table)}`;
}

/** The POST /api/v2/changefeeds body. `start_ts` stays a decimal string here; tso-json writes it as a number. */
export function createChangefeedBody(spec: ChangefeedSpec): Record<string, unknown> {
  return {
    changefeed_id: spec.changefeedId,
    start_ts: spec.startTs.toString(),
    sink_uri: sinkUri(spec),
    replica_config: {
      filter: { rules: [tableFilterRule(spec.db, spec.table)] },
      sink: { protocol: 'canal-json' },
    },
  };
}

/** The changefeed config file `cdc cli changefeed create --config` reads (the filter cannot be given as a flag). */
export function changefeedToml(spec: Pick<ChangefeedSpec, 'db' | 'table'>): string {
  const rule = tableFilterRule(spec.db, spec.table).replaceAll('\\', '\\\\').replaceAll("'", "\\'");
  return `# Tidesearch: replicate only ${spec.db}.${spec.table}\n[filter]\nrules = ['${rule}']\n`;
}

/** The equivalent command line, for docs and for users who do not give `incr.cdcAddr`. */
export function cdcCliCommand(spec: ChangefeedSpec, o: { server?: string; configPath?: string } = {}): string {
  const server = o.server ?? 'http://<ticdc-host>:8300';
  const configPath = o.configPath ?? `${spec.changefeedId}.toml`;
  return [
    'cdc cli changefeed create',
    `--server=${server}`,
    `--changefeed-id="${spec.changefeedId}"`,
    `--start-ts=${spec.startTs.toString()}`,
    `--sink-uri="${sinkUri(spec)}"`,
    `--config=${configPath}`,
  ].join(' \\\n  ');
}
