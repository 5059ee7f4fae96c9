// do_delete_index: stops the channel and any build, removes the definition and every generation file.
import type { AdminServices } from '../services.js';
import { IndexNameSchema, parseBody } from '../requests.js';
import { ok } from '../envelope.js';

export async function deleteIndex(svc: AdminServices, body: unknown) {
  const req = parseBody(IndexNameSchema, body);
  await svc.indexes.delete(req.indexName);
  return ok({});
}
