// do_get_index_status: document count, last full build, whether the incremental channel runs, and more.
import type { AdminServices } from '../services.js';
import { IndexNameSchema, parseBody } from '../requests.js';
import { ok } from '../envelope.js';
import { presentIndex } from '../present.js';

export async function getIndexStatus(svc: AdminServices, body: unknown) {
  const req = parseBody(IndexNameSchema, body);
  const idx = svc.indexes.require(req.indexName);
  const status = presentIndex(svc, idx);
  const running = status.building_taskid;
  const logs = req.log && running !== null ? svc.catalog.taskLog(running).map((l) => l.line).join('\n') : undefined;
  return ok({ ...status, ...(logs !== undefined ? { logs } : {}) });
}
