// One index: summary, the live (or last) build task with per-stage bars and log tail, the channel's chart,
// positions, recent DDL and dead letters, and rebuild / delete with confirmation.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { admin, channelHistory, incrStatus, listIndexes, taskStatus, type HistoryPoint } from './api.js';
import { Badge, channelBadge, ConfirmButton, ErrorBox, formatLag, StageBars } from './components.js';
import { usePoll } from './poll.js';
import { Sparkline } from './sparkline.js';

const HOUR_MS = 3_600_000;

/** The server lists only buckets with activity; a quiet bucket means 0 events/s, so the chart shows it. */
function zeroFilled(points: readonly HistoryPoint[], bucketMs: number, now: number): { t: number; v: number }[] {
  const first = points[0];
  if (first === undefined) return [];
  const byT = new Map(points.map((p) => [p.t, p.eventsPerSec]));
  const out: { t: number; v: number }[] = [];
  for (let t = first.t; t <= now; t += bucketMs) out.push({ t, v: byT.get(t) ?? 0 });
  return out;
}

function TaskPanel({ taskid }: { taskid: number }) {
  // Polls every second while the task runs; when it ends the interval drops to null (one final load).
  const [running, setRunning] = useState(true);
  const { data: task, error } = usePoll(() => taskStatus(taskid), running ? 1000 : null, [taskid]);
  useEffect(() => {
    if (task && (task.complete || task.faild)) setRunning(false);
  }, [task]);
  const logRef = useRef<HTMLPreElement>(null);
  const logs = task?.logs ?? '';
  useEffect(() => {
    if (logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight;
  }, [logs]);
  const tail = logs.split('\n').slice(-200).join('\n');
  const state = task === undefined ? '…' : task.faild ? 'failed' : task.complete ? 'complete' : 'running';
  return html`<section class="panel" data-task=${taskid}>
    <h2>Build task ${taskid} <span class=${`task-state task-${state}`}>${state}</span></h2>
    <${ErrorBox} error=${error} />
    ${task ? html`<${StageBars} task=${task} now=${Date.now()} />` : null}
    ${task?.errs ? html`<div class="error">${task.errs}</div>` : null}
    <h3>Log</h3>
    <pre class="log" ref=${logRef}>${tail || '(empty)'}</pre>
  </section>`;
}

function ChannelPanel({ index }: { index: string }) {
  const { data: incr, error } = usePoll(() => incrStatus(index), 3000, [index]);
  const { data: hist } = usePoll(() => channelHistory(index), 10_000, [index]);
  const now = Date.now();
  const points = hist?.points ?? [];
  return html`<section class="panel">
    <h2>Incremental channel ${channelBadge(incr?.state)}</h2>
    <${ErrorBox} error=${error} />
    ${incr?.reason ? html`<div class="error">${incr.reason}</div>` : null}
    <p>Lag <b>${formatLag(incr?.lag_ms)}</b> · <b>${incr?.last_60_sec ?? '–'}</b> events in the last 60 s</p>
    <div class="charts">
      <${Sparkline} label="Applied events/s" unit="/s" spanMs=${HOUR_MS} now=${now} points=${zeroFilled(points, hist?.bucketMs ?? 10_000, now)} />
      <${Sparkline} label="Lag" unit="s" spanMs=${HOUR_MS} now=${now} points=${points.map((p) => ({ t: p.t, v: p.lagSec }))} />
    </div>
    <h3>Positions</h3>
    <table class="list small"><thead><tr><th>Topic-partition</th><th class="num">Next offset</th></tr></thead>
      <tbody>${(incr?.current_cursor ?? []).map((c) => html`<tr><td>${c.mqName}</td><td class="num">${String(c.cursor)}</td></tr>`)}</tbody>
    </table>
    <h3>Recent DDL</h3>
    ${(incr?.ddl ?? []).length === 0
      ? html`<p class="muted">none</p>`
      : html`<table class="list small"><thead><tr><th>commitTs</th><th>Type</th><th>Statement</th><th></th></tr></thead><tbody>
          ${(incr?.ddl ?? []).map((d) => html`<tr><td><code>${d.commitTs}</code></td><td>${d.type}</td><td><code>${d.query}</code></td><td>${d.affectsIndex ? html`<${Badge} kind="warn">affects index<//>` : null}</td></tr>`)}
        </tbody></table>`}
    <h3>Dead letters (${incr?.dead_letters ?? 0})</h3>
    ${(incr?.recent_dead_letters ?? []).length === 0
      ? html`<p class="muted">none</p>`
      : html`<table class="list small"><thead><tr><th>Topic-partition</th><th>Offset</th><th>Reason</th></tr></thead><tbody>
          ${(incr?.recent_dead_letters ?? []).map((d) => html`<tr><td>${d.mqName}</td><td>${d.offset}</td><td>${d.reason}</td></tr>`)}
        </tbody></table>`}
  </section>`;
}

export function IndexPage({ name, taskParam, navigate }: { name: string; taskParam: number | null; navigate: (hash: string) => void }) {
  const { data, error, refresh } = usePoll(listIndexes, 3000, [name]);
  const ix = data?.indexes.find((i) => i.indexName === name);
  const taskid = taskParam ?? ix?.building_taskid ?? ix?.last_taskid ?? null;
  const rebuild = async (): Promise<void> => {
    const { taskid: id } = await admin<{ taskid: number }>('do_fullbuild', { indexName: name });
    navigate(`#/index/${encodeURIComponent(name)}?task=${id}`);
    refresh();
  };
  const remove = async (): Promise<void> => {
    await admin('do_delete_index', { indexName: name });
    navigate('#/');
  };
  return html`<section>
    <div class="head">
      <h1>${name}</h1>
      <div class="actions">
        <a class="button" href=${`#/search/${encodeURIComponent(name)}`}>Search</a>
        <${ConfirmButton} label="Rebuild" question=${`Rebuild ${name} from a fresh snapshot? The current index keeps serving until the new one is ready.`} onConfirm=${rebuild} />
        <${ConfirmButton} label="Delete" danger=${true} question=${`Delete index ${name} and its channel? This cannot be undone.`} onConfirm=${remove} />
      </div>
    </div>
    <${ErrorBox} error=${error} />
    ${data && !ix ? html`<p class="error">No index named ${name}.</p>` : null}
    ${ix
      ? html`<dl class="summary">
          <dt>Source</dt><dd><code>${ix.source}</code></dd>
          <dt>Documents</dt><dd data-field="doc_num">${ix.doc_num ?? '–'}</dd>
          <dt>Last full build</dt><dd>${ix.latest_fullbuild_time ?? 'never'}</dd>
          <dt>Channel</dt><dd>${channelBadge(ix.incr?.state)}</dd>
          ${ix.topk
            ? html`<dt title="Stored top 1000 of the most frequent terms: their one-term queries skip ranking every hit. The channel retires a list once more than 1000 changed rows hold its term; a rebuild makes them again.">Top-K lists</dt>
                <dd data-field="topk">${ix.topk.ranked} ranked · ${ix.topk.pending} pending · ${ix.topk.retired ?? 0} retired</dd>`
            : null}
          ${ix.rebuild_needed ? html`<dt>Rebuild needed</dt><dd><${Badge} kind="warn">${ix.rebuild_needed}<//></dd>` : null}
        </dl>`
      : null}
    ${taskid !== null ? html`<${TaskPanel} taskid=${taskid} key=${taskid} />` : null}
    ${ix?.incr ? html`<${ChannelPanel} index=${name} />` : null}
  </section>`;
}
