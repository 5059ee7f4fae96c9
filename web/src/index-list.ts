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
              (ix) => html`<tr data-index=${ix.indexName}>
                <td><a href=${`#/index/${encodeURIComponent(ix.indexName)}`}>${ix.indexName}</a></td>
                <td><code>${ix.source ?? '?'}</code></td>
                <td class="num" data-field="doc_num">${ix.doc_num ?? '–'}</td>
                <td>${ix.latest_fullbuild_time ?? (ix.building_taskid ? 'building…' : 'never')}</td>
                <td>${channelBadge(ix.incr?.state)}</td>
                <td class="num">${formatLag(ix.incr?.lag_ms)}</td>
                <td class="num">${ix.incr?.last_60_sec ?? '–'}</td>
                <td>
                  ${ix.rebuild_needed ? html`<span title=${ix.rebuild_needed}><${Badge} kind="warn">rebuild needed<//></span>` : null}
                  ${ix.incr?.state === 'failed' ? html`<span title=${ix.incr.reason ?? ''}><${Badge} kind="bad">channel failed<//></span>` : null}
                  ${ix.building_taskid ? html`<${Badge} kind="muted">task ${ix.building_taskid} running<//>` : null}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}
  </section>`;
}
