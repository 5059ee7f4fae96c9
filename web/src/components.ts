// Small shared pieces: error box, badges, stage progress bars, confirmation dialog, token dialog.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { formatCount, formatDuration, stageViews, type TaskStatus } from '../../src/cli/task-progress.js';

export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const e = error instanceof ApiError ? error : new ApiError([String((error as Error).message ?? error)]);
  return html`<div class="error" role="alert">
    ${e.errormsg.map((m) => html`<div>${m}</div>`)}
    ${e.errorfields.length > 0 ? html`<ul>${e.errorfields.map((f) => html`<li><code>${f.name}</code>: ${f.content}</li>`)}</ul>` : null}
  </div>`;
}

export function Badge({ kind, children }: { kind: 'ok' | 'warn' | 'bad' | 'muted'; children: unknown }) {
  return html`<span class="badge badge-${kind}">${children}</span>`;
}

export function channelBadge(state: string | null | undefined) {
  if (state === null || state === undefined) return html`<${Badge} kind="muted">none<//>`;
  const kind = state === 'running' ? 'ok' : state === 'failed' ? 'bad' : 'warn';
  return html`<${Badge} kind=${kind}>${state}<//>`;
}

export const formatLag = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '–' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

export function StageBars({ task, now }: { task: TaskStatus; now: number }) {
  return html`<div class="stages">
    ${stageViews(task, now).map((v) => {
      const pct = v.ratio === null ? null : Math.floor(v.ratio * 100);
      return html`<div class="stage stage-${v.state}" data-stage=${v.stage}>
        <div class="stage-name">${v.stage}</div>
        <div class="bar" role="progressbar" aria-label=${v.stage} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct ?? undefined}>
          <div class=${`fill ${pct === null && v.state === 'running' ? 'indeterminate' : ''}`} style=${`width:${pct ?? (v.state === 'running' ? 100 : 0)}%`}></div>
        </div>
        <div class="stage-info">
          <span class="pct">${pct === null ? (v.state === 'pending' ? 'pending' : '…') : `${pct}%`}</span>
          ${v.rowsDone > 0 || v.rowsTotal !== null ? html` · ${formatCount(v.rowsDone)}${v.rowsTotal !== null ? ` of ${formatCount(v.rowsTotal)}` : ''} rows` : null}
          ${v.rowsPerSec !== null ? html` · ${formatCount(v.rowsPerSec)} rows/s` : null}
          ${v.secondsLeft !== null ? html` · ${formatDuration(v.secondsLeft)} left` : null}
          ${v.state === 'failed' ? html` · <b>failed</b>` : null}
        </div>
      </div>`;
    })}
  </div>`;
}

export function ConfirmButton({ label, question, danger, onConfirm }: { label: string; question: string; danger?: boolean; onConfirm: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirm = async (): Promise<void> => {
    setBusy(true);
    try {
      await onConfirm();
      setOpen(false);
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<span>
    <button class=${danger ? 'danger' : ''} onClick=${() => setOpen(true)}>${label}</button>
    ${open
      ? html`<div class="modal-back"><div class="modal" role="dialog" aria-label=${label}>
          <p>${question}</p>
          <${ErrorBox} error=${error} />
          <button onClick=${() => setOpen(false)} disabled=${busy}>Cancel</button>
          <button class=${danger ? 'danger' : 'primary'} onClick=${confirm} disabled=${busy}>${busy ? '…' : `Yes, ${label.toLowerCase()}`}</button>
        </div></div>`
      : null}
  </span>`;
}

export function TokenDialog({ onSave }: { onSave: (token: string) => void }) {
  const [value, setValue] = useState('');
  return html`<div class="modal-back"><form class="modal" aria-label="admin token" onSubmit=${(e: Event) => {
    e.preventDefault();
    onSave(value.trim());
  }}>
    <p>This server requires the admin token (<code>TIDESEARCH_TOKEN</code>). It is kept in this browser's local storage.</p>
    <input type="password" name="token" placeholder="admin token" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} autofocus />
    <button class="primary" type="submit">Save</button>
  </form></div>`;
}
