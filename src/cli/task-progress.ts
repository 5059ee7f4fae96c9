// Turns a do_get_task_status answer into per-stage progress (percent, rate, time left) and draws it as
// text bars. Tolerates servers that send no progress fields: then only the current stage is known.

export const STAGES = ['dump', 'join', 'indexBuild', 'indexBackflow'] as const;
export type StageName = (typeof STAGES)[number];

/** Per-stage progress as do_get_task_status sends it; rowsTotal 0 means "not known yet" until the stage ends. */
export interface StageProgressWire {
  readonly rowsDone?: number;
  readonly rowsTotal?: number | null;
  readonly startedAt?: number | null;
  readonly finishedAt?: number | null;
}

/** bizresult of do_get_task_status: the seed's fields plus the progress the server adds beside them. */
export interface TaskStatus {
  readonly taskid: number;
  readonly complete: boolean;
  readonly faild: boolean;
  readonly stage: string;
  readonly errs?: string;
  readonly logs?: string;
  readonly indexName?: string;
  readonly progress?: Partial<Record<StageName, StageProgressWire>>;
}

export interface StageView {
  readonly stage: StageName;
  readonly state: 'pending' | 'running' | 'done' | 'failed';
  readonly rowsDone: number;
  readonly rowsTotal: number | null;
  /** 0..1; null when the total is unknown. */
  readonly ratio: number | null;
  readonly rowsPerSec: number | null;
  readonly secondsLeft: number | null;
}

export function stageViews(task: TaskStatus, now: number): StageView[] {
  const current = STAGES.indexOf(task.stage as StageName);
  return STAGES.map((stage, i) => {
    const p = task.progress?.[stage];
    const finishedAt = p?.finishedAt ?? null;
    const startedAt = p?.startedAt ?? null;
    const done = finishedAt !== null || (task.complete && !task.faild) || (current >= 0 && i < current);
    const state: StageView['state'] = done ? 'done' : i === current ? (task.faild ? 'failed' : task.complete ? 'done' : 'running') : 'pending';
    const rowsDone = p?.rowsDone ?? 0;
    const rowsTotal = p?.rowsTotal === undefined || p.rowsTotal === null || (p.rowsTotal === 0 && !done) ? null : p.rowsTotal;
    const ratio = state === 'done' ? 1 : rowsTotal !== null && rowsTotal > 0 ? Math.min(1, rowsDone / rowsTotal) : null;
    const elapsedSec = startedAt !== null ? ((finishedAt ?? now) - startedAt) / 1000 : null;
    const rowsPerSec = elapsedSec !== null && elapsedSec > 0.05 && rowsDone > 0 ? rowsDone / elapsedSec : null;
    const secondsLeft = state === 'running' && rowsPerSec !== null && rowsTotal !== null ? Math.max(0, (rowsTotal - rowsDone) / rowsPerSec) : null;
    return { stage, state, rowsDone, rowsTotal, ratio, rowsPerSec, secondsLeft };
  });
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

export function formatDuration(sec: number): string {
  if (sec < 60) return `${Math.ceil(sec)}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${String(Math.ceil(sec % 60)).padStart(2, '0')}s`;
  return `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`;
}

const WIDTH = 24;

export function renderStageLine(v: StageView): string {
  const filled = v.ratio === null ? 0 : Math.round(v.ratio * WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
  const pct = v.ratio === null ? '   ?' : `${String(Math.floor(v.ratio * 100)).padStart(3)}%`;
  const rows = v.state === 'done' && v.rowsDone === 0 && v.rowsTotal === null ? 'done' : v.rowsTotal === null ? `${formatCount(v.rowsDone)} rows` : `${formatCount(v.rowsDone)}/${formatCount(v.rowsTotal)} rows`;
  const rate = v.rowsPerSec === null ? '' : `  ${formatCount(v.rowsPerSec)} rows/s`;
  const left = v.secondsLeft === null ? '' : `  ${formatDuration(v.secondsLeft)} left`;
  const mark = v.state === 'failed' ? '  FAILED' : v.state === 'pending' ? '  pending' : '';
  return `${v.stage.padEnd(13)} [${bar}] ${pct}  ${rows}${rate}${left}${mark}`;
}

export function renderTask(task: TaskStatus, now: number): string[] {
  return stageViews(task, now).map(renderStageLine);
}
