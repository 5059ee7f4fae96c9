// list_indexes (beyond the document, for the console and CLI): every index with its status fields.
import type { AdminServices } from '../services.js';
import { ok } from '../envelope.js';
import { presentIndex } from '../present.js';

export async function listIndexes(svc: AdminServices, _body: unknown) {
  return ok({ indexes: svc.indexes.list().map((idx) => presentIndex(svc, idx)) });
}
