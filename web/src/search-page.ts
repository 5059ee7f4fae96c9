// Search one index through the Solr select API: highlighting, a facet on a chosen field, and the curl line.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { listIndexes, select, type SelectResult } from './api.js';
import { ErrorBox } from './components.js';
import { usePoll } from './poll.js';

/** Renders a highlight snippet: text between <em> and </em> becomes <mark>; nothing is parsed as HTML. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/(<em>|<\/em>)/);
  let inside = false;
  const out: unknown[] = [];
  for (const part of parts) {
    if (part === '<em>') inside = true;
    else if (part === '</em>') inside = false;
    else if (part !== '') out.push(inside ? html`<mark>${part}</mark>` : part);
  }
  return html`<span class="snippet">${out}</span>`;
}

/** Solr keys highlighting by the document's unique key (the table's primary key). */
function highlightsFor(doc: Record<string, unknown>, keyField: string | undefined, hl: SelectResult['highlighting']): Record<string, readonly string[]> | undefined {
  if (!hl) return undefined;
  const id = keyField !== undefined ? doc[keyField] : (doc.id ?? Object.values(doc)[0]);
  return hl[String(id)];
}

export function SearchPage({ name }: { name: string }) {
  const { data: list } = usePoll(listIndexes, null, [name]);
  const columns = list?.indexes.find((i) => i.indexName === name)?.fields ?? [];
  const [q, setQ] = useState('*:*');
  const [fq, setFq] = useState('');
  const [facet, setFacet] = useState('');
  const [rows, setRows] = useState(10);
  const [result, setResult] = useState<SelectResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const keyField = columns.find((c) => c.key)?.name;
  const searchable = columns.filter((c) => c.search).map((c) => c.name);
  const params = new URLSearchParams({ q: q || '*:*', rows: String(rows), wt: 'json', hl: 'true' });
  if (searchable.length > 0) params.set('hl.fl', searchable.join(','));
  if (fq.trim()) params.append('fq', fq.trim());
  if (facet) {
    params.set('facet', 'true');
    params.set('facet.field', facet);
  }
  const curl = `curl '${location.origin}/solr/${encodeURIComponent(name)}/select?${params.toString()}'`;

  const run = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    setBusy(true);
    try {
      setResult(await select(name, params));
      setError(undefined);
    } catch (err) {
      setError(err);
      setResult(undefined);
    } finally {
      setBusy(false);
    }
  };
  const facetCounts = facet ? result?.facet_counts?.facet_fields?.[facet] : undefined;
  const input = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);

  return html`<section>
    <div class="head"><h1>Search <a href=${`#/index/${encodeURIComponent(name)}`}>${name}</a></h1></div>
    <form class="search" onSubmit=${run}>
      <input name="q" class="q" value=${q} onInput=${input(setQ)} placeholder="Lucene query, e.g. title:数据库 AND year:[2020 TO *]" />
      <input name="fq" value=${fq} onInput=${input(setFq)} placeholder="filter query (fq)" />
      <select name="facet" value=${facet} onChange=${input(setFacet)}>
        <option value="">no facet</option>
        ${columns.map((c) => html`<option value=${c.name}>facet: ${c.name}</option>`)}
      </select>
      <input name="rows" type="number" min="0" max="1000" value=${rows} onInput=${(e: Event) => setRows(Number((e.target as HTMLInputElement).value) || 0)} />
      <button class="primary" type="submit" disabled=${busy}>Search</button>
    </form>
    <pre class="curl" title="the same query with curl">${curl}</pre>
    <${ErrorBox} error=${error} />
    ${result
      ? html`<p class="found"><b>${result.response?.numFound ?? 0}</b> found${result.responseHeader?.QTime !== undefined ? ` in ${result.responseHeader.QTime} ms` : ''}</p>
        <div class="results-layout">
          <ol class="results">
            ${(result.response?.docs ?? []).map((doc) => {
              const hl = highlightsFor(doc, keyField, result.highlighting);
              return html`<li class="doc">
                ${hl && Object.keys(hl).length > 0
                  ? html`<div class="hl">${Object.entries(hl).map(([field, snippets]) => html`<div><span class="field">${field}</span> ${snippets.map((s) => html`<${Snippet} text=${s} /> `)}</div>`)}</div>`
                  : null}
                <table class="fields">${Object.entries(doc).map(([k, v]) => html`<tr><th>${k}</th><td>${typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>`)}</table>
              </li>`;
            })}
          </ol>
          ${facetCounts
            ? html`<aside class="facets"><h3>${facet}</h3><ul>
                ${facetCounts.reduce<unknown[]>((acc, v, i) => (i % 2 === 0 ? [...acc, html`<li><span>${String(v)}</span> <b>${String(facetCounts[i + 1])}</b></li>`] : acc), [])}
              </ul></aside>`
            : null}
        </div>`
      : null}
  </section>`;
}
