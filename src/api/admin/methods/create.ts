// do_create: validate, record the index, start the full build (and the channel afterwards); answer at once.
import type { AdminServices } from '../services.js';
import { CreateSchema, checkDuplicateColumns, parseBody } from '../requests.js';
import { ok } from '../envelope.js';

export async function create(svc: AdminServices, body: unknown) {
  const req = parseBody(CreateSchema, body);
  checkDuplicateColumns(req.columns);
  const { task, notes } = await svc.indexes.create(req);
  return ok({ taskid: task.id }, notes);
}
