// do_get_task_status: stage, complete/faild (sic), errors, logs, and per-stage progress.
import type { AdminServices } from '../services.js';
import { TaskSchema, parseBody } from '../requests.js';
import { ok } from '../envelope.js';
import { presentTask } from '../present.js';

export async function getTaskStatus(svc: AdminServices, body: unknown) {
  const req = parseBody(TaskSchema, body);
  const task = svc.indexes.task(req.taskid);
  const logs = req.log ? svc.catalog.taskLog(task.id).map((l) => `${new Date(l.at).toISOString()} ${l.line}`).join('\n') : undefined;
  return ok(presentTask(task, logs));
}
