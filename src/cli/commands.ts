// One function per CLI subcommand. Each returns an exit code; AdminError propagates to runCli, which
// prints errormsg/errorfields and exits 1.
import { readFile } from 'node:fs/promises';
import JSON5 from 'json5';
import { AdminError, type AdminClient } from './admin-client.js';
import { renderTask, type TaskStatus } from './task-progress.js';

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly client: AdminClient;
  readonly json: boolean;
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const line = (io: CommandIo, text = ''): void => {
  io.stdout.write(text + '\n');
};

export async function createCommand(io: CommandIo, file: string, wait: boolean): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON5.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON/JSON5: ${(err as Error).message}`);
  }
  const { taskid } = await io.client.call<{ taskid: number }>('do_create', body);
  return startedTask(io, taskid, (body as { indexName?: string }).indexName ?? '?', wait);
}

export async function rebuildCommand(io: CommandIo, index: string, wait: boolean): Promise<number> {
  const { taskid } = await io.client.call<{ taskid: number }>('do_fullbuild', { indexName: index });
  return startedTask(io, taskid, index, wait);
}

async function startedTask(io: CommandIo, taskid: number, index: string, wait: boolean): Promise<number> {
  if (!wait) {
    if (io.json) line(io, JSON.stringify({ taskid }));
    else line(io, `task ${taskid} started for index ${index}; follow it with: tidesearch tasks ${taskid}`);
    return 0;
  }
  if (!io.json) line(io, `task ${taskid} started for index ${index}`);
  return waitForTask(io, taskid);
}

/** Polls the task until it completes or fails; redraws bars in place on a terminal, prints changes otherwise. */
async function waitForTask(io: CommandIo, taskid: number): Promise<number> {
  const tty = io.stdout.isTTY === true && !io.json;
  let drawn = 0;
  let lastPrinted = '';
  for (;;) {
    const task = await io.client.call<TaskStatus>('do_get_task_status', { taskid, log: false });
    const done = task.complete || task.faild;
    if (!io.json) {
      const lines = renderTask(task, io.now());
      if (tty) {
        if (drawn > 0) io.stdout.write(`\x1b[${drawn}A`);
        for (const l of lines) io.stdout.write(`\x1b[2K${l}\n`);
        drawn = lines.length;
      } else {
        // Non-terminal output (CI logs): one block per stage change and at the end, not every poll.
        const key = `${task.stage}/${done}`;
        if (key !== lastPrinted) {
          for (const l of lines) line(io, l);
          lastPrinted = key;
        }
      }
    }
    if (done) {
      if (io.json) line(io, JSON.stringify(task));
      if (task.faild) {
        io.stderr.write(`task ${taskid} failed: ${task.errs || 'no reason given'}\n`);
        return 1;
      }
      if (!io.json) line(io, `task ${taskid} complete`);
      return 0;
    }
    await io.sleep(io.pollMs);
  }
}

export async function tasksCommand(io: CommandIo, taskid: number): Promise<number> {
  const task = await io.client.call<TaskStatus>('do_get_task_status', { taskid, log: true });
  if (io.json) {
    line(io, JSON.stringify(task));
    return 0;
  }
  const state = task.faild ? 'failed' : task.complete ? 'complete' : 'running';
  line(io, `task ${task.taskid}${task.indexName ? ` (index ${task.indexName})` : ''}: ${state}, stage ${task.stage}`);
  for (const l of renderTask(task, io.now())) line(io, l);
  if (task.errs) line(io, `errors: ${task.errs}`);
  if (task.logs) {
    line(io, '--- log ---');
    io.stdout.write(task.logs.endsWith('\n') ? task.logs : task.logs + '\n');
  }
  return 0;
}

interface IndexStatus {
  readonly doc_num?: number;
  readonly latest_fullbuild_time?: string | null;
  readonly incr_ready?: boolean;
  readonly [k: string]: unknown;
}
interface IncrStatus {
  readonly current_cursor?: readonly { mqName: string; cursor: number | string }[];
  readonly last_60_sec?: number;
  readonly lag_ms?: number | null;
  readonly state?: string;
  readonly reason?: string | null;
  readonly [k: string]: unknown;
}

export async function statusCommand(io: CommandIo, index: string): Promise<number> {
  const status = await io.client.call<IndexStatus>('do_get_index_status', { indexName: index, log: false });
  let incr: IncrStatus | null = null;
  // incr_ready is false while a channel fails or catches up, so ask anyway; "none" only when there is none.
  try {
    incr = await io.client.call<IncrStatus>('do_get_incr_status', { indexName: index, log: false });
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    incr = err.errorcode === 'INCR_NOT_FOUND' ? null : { state: `unavailable (${err.message})` };
  }
  if (io.json) {
    line(io, JSON.stringify({ index: status, incr }));
    return 0;
  }
  line(io, `index:            ${index}`);
  line(io, `documents:        ${status.doc_num ?? '?'}`);
  line(io, `last full build:  ${status.latest_fullbuild_time ?? 'never'}`);
  line(io, `channel:          ${incr ? (incr.state ?? 'ready') : 'none'}`);
  if (incr) {
    if (incr.lag_ms !== undefined) line(io, `lag:              ${incr.lag_ms === null ? '-' : `${(incr.lag_ms / 1000).toFixed(1)}s`}`);
    if (incr.reason) line(io, `reason:           ${String(incr.reason)}`);
    if (incr.last_60_sec !== undefined) line(io, `last 60 s:        ${incr.last_60_sec} events`);
    for (const c of incr.current_cursor ?? []) line(io, `position:         ${c.mqName} @ ${c.cursor}`);
  }
  return 0;
}

export async function searchCommand(io: CommandIo, index: string, query: string, rows: number, fq: readonly string[]): Promise<number> {
  const params = new URLSearchParams({ q: query, rows: String(rows), wt: 'json' });
  for (const f of fq) params.append('fq', f);
  const res = await io.client.select(index, params);
  if (io.json) {
    line(io, JSON.stringify(res));
    return 0;
  }
  const docs = res.response?.docs ?? [];
  line(io, `${res.response?.numFound ?? 0} found${res.responseHeader?.QTime !== undefined ? ` in ${res.responseHeader.QTime} ms` : ''}, showing ${docs.length}`);
  for (const doc of docs) line(io, JSON.stringify(doc));
  return 0;
}

export async function deleteCommand(io: CommandIo, index: string): Promise<number> {
  await io.client.call('do_delete_index', { indexName: index });
  line(io, io.json ? JSON.stringify({ deleted: index }) : `index ${index} deleted`);
  return 0;
}
