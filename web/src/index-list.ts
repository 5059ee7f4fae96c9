// The index list: every index with its source, size, last build, channel state, lag and recent traffic.
import { html } from 'htm/preact';
import { listIndexes } from './api.js';
import { Badge, channelBadge, ErrorBox, formatLag } from './components.js';
import { usePoll } from './poll.js';

export function IndexList() {
  const { data, error } = usePoll(listIndexes, 3000, []);
  const indexes = data?.indexes ?? [];
  return html`<section>
    <div class="head"><h1>Indexes</h1><a class="button primary" href="#/create">Create index</a></div>
    <${ErrorBox} error=${error} />
    ${data && indexes.length === 0 ? html`<p class="muted">No index yet. <a href="#/create">Create one</a> from a MySQL or TiDB table.</p>` : null}
    ${indexes.length > 0
      ? html`<table class="list">
          <thead><tr><th>Name</th><th>Source</th><th class="num">Documents</th><th>Last full build</th><th>Channel</th><th class="num">Lag</th><th class="num">Last 60 s</th><th></th></tr></thead>
          <tbody>
            ${indexes.map(
              (ix) => html`<tr data-index=${ix.name}>
                <td><a href=${`#/index/${encodeURIComponent(ix.name)}`}>${ix.name}</a></td>
                <td><code>${ix.db ?? '?'}.${ix.table ?? '?'}</code></td>
                <td class="num">${ix.doc_num ?? '–'}</td>
                <td>${ix.latest_fullbuild_time ?? (ix.running_taskid ? 'building…' : 'never')}</td>
                <td>${channelBadge(ix.channel_state ?? (ix.incr_ready ? 'running' : null))}</td>
                <td class="num">${formatLag(ix.lag_ms)}</td>
                <td class="num">${ix.last_60_sec ?? '–'}</td>
                <td>
                  ${ix.rebuild_needed ? html`<span title=${ix.rebuild_needed}><${Badge} kind="warn">rebuild needed<//></span>` : null}
                  ${ix.channel_state === 'failed' ? html`<span title=${ix.channel_reason ?? ''}><${Badge} kind="bad">channel failed<//></span>` : null}
                  ${ix.running_taskid ? html`<${Badge} kind="muted">task ${ix.running_taskid} running<//>` : null}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}
  </section>`;
}
