// What the admin handlers call: the index lifecycle and channel status. Constructed in app.ts.
import type { IndexService } from '../../pipeline/indexes.js';
import type { ChannelStatus } from '../../pipeline/channel-status.js';
import type { IncrConfig } from '../../pipeline/requests.js';
import type { IndexRecord } from '../../catalog/catalog.js';
import type { Catalog } from '../../catalog/catalog.js';

export interface ChannelAdmin {
  status(indexName: string): ChannelStatus | undefined;
  create(index: IndexRecord, incr: IncrConfig): Promise<string[]>;
}

export interface AdminServices {
  readonly indexes: IndexService;
  readonly catalog: Catalog;
  readonly channels: ChannelAdmin;
}
