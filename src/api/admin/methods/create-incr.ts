// do_create_incr: adds an incremental channel to an index that has none.
import type { AdminServices } from '../services.js';
import { CreateIncrSchema, parseBody } from '../requests.js';
import { ok } from '../envelope.js';
import { TidesearchError } from '../../../errors/index.js';

export async function createIncr(svc: AdminServices, body: unknown) {
  const req = parseBody(CreateIncrSchema, body);
  const idx = svc.indexes.require(req.indexName);
  if (svc.catalog.getChannel(idx.name)) {
    throw new TidesearchError('INCR_EXISTS', `index '${idx.name}' already has an incremental channel; delete the index to change it`, { field: 'indexName' });
  }
  const logs = await svc.channels.create(idx, req.incr);
  return ok({ logs: logs.join('\n') });
}
