// do_fullbuild: rebuild from a fresh snapshot while the live generation keeps answering queries.
import type { AdminServices } from '../services.js';
import { IndexNameSchema, parseBody } from '../requests.js';
import { ok } from '../envelope.js';

export async function fullbuild(svc: AdminServices, body: unknown) {
  const req = parseBody(IndexNameSchema, body);
  const task = svc.indexes.fullbuild(req.indexName);
  return ok({ taskid: task.id });
}
