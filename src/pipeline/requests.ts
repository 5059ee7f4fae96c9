// What the pipeline is asked to do, as plain typed values (the API validates bodies into these).
import type { TokenName } from '../core/schema.js';

export interface MySqlDatasource {
  readonly plugin: 'MySQL';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dbName: string;
}

export interface TikvDatasource {
  readonly plugin: 'TiKV';
  readonly pdAddrs?: string | undefined;
  readonly tidbAddrs?: string | undefined;
  readonly user: string;
  readonly password: string;
  readonly dbName: string;
}

export type DatasourceConfig = MySqlDatasource | TikvDatasource;

export interface ColumnRequest {
  readonly name: string;
  readonly token?: TokenName | undefined;
  readonly search: boolean;
}

export interface IncrConfig {
  readonly plugin: 'TiCDC-Kafka';
  readonly mqAddress: string;
  readonly topic: string;
  readonly groupId: string;
  readonly offsetResetStrategy: 'earliest' | 'latest' | 'none';
  readonly protocol: 'auto' | 'canal-json' | 'open-protocol' | 'simple';
  readonly maxWaitMs: number;
  readonly deadLetterLimit: number;
  readonly timeZone: string;
  readonly cdcAddr?: string | undefined;
}

export interface CreateIndexRequest {
  readonly datasource: DatasourceConfig;
  readonly table: string;
  readonly indexName: string;
  readonly columns: readonly ColumnRequest[];
  readonly incr?: IncrConfig | undefined;
}

/** The datasource without secrets, for responses and logs. */
export function redactDatasource(d: DatasourceConfig): Record<string, unknown> {
  const { password, ...rest } = d;
  return { ...rest, password: password ? '******' : '' };
}
