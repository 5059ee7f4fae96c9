// The "create index" form: builds the do_create body, shows each server validation error next to the
// field it names (errorfields[].name such as `columns[2].token`), then follows the new task.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { admin, ApiError, type FieldError } from './api.js';

export const TOKENS = ['ik', 'like', 'pinyin', 'string', 'text_ws', 'standard'] as const;

interface Column {
  name: string;
  token: string;
  search: boolean;
}

export interface CreateFormState {
  indexName: string;
  table: string;
  plugin: 'MySQL' | 'TiKV';
  host: string;
  port: string;
  pdAddrs: string;
  user: string;
  password: string;
  dbName: string;
  columns: Column[];
  incrOn: boolean;
  mqAddress: string;
  topic: string;
  groupId: string;
  offsetResetStrategy: 'earliest' | 'latest' | 'none';
}

const initial: CreateFormState = {
  indexName: '',
  table: '',
  plugin: 'MySQL',
  host: '127.0.0.1',
  port: '3306',
  pdAddrs: '',
  user: 'root',
  password: '',
  dbName: '',
  columns: [{ name: 'id', token: 'string', search: true }],
  incrOn: false,
  mqAddress: '',
  topic: '',
  groupId: '',
  offsetResetStrategy: 'earliest',
};

/** The do_create body exactly as the API documents it. */
export function buildBody(s: CreateFormState): Record<string, unknown> {
  const datasource: Record<string, unknown> =
    s.plugin === 'TiKV'
      ? { plugin: 'TiKV', pdAddrs: s.pdAddrs.trim(), dbName: s.dbName.trim() }
      : { plugin: 'MySQL', host: s.host.trim(), port: Number(s.port), dbName: s.dbName.trim() };
  if (s.user.trim()) datasource.user = s.user.trim();
  if (s.password) datasource.password = s.password;
  const body: Record<string, unknown> = {
    datasource,
    table: s.table.trim(),
    indexName: s.indexName.trim(),
    columns: s.columns.map((c) => ({ name: c.name.trim(), token: c.token, search: c.search })),
  };
  if (s.incrOn) {
    body.incr = { plugin: 'TiCDC-Kafka', mqAddress: s.mqAddress.trim(), topic: s.topic.trim(), groupId: s.groupId.trim(), offsetResetStrategy: s.offsetResetStrategy };
  }
  return body;
}

/** Checks the browser can do before asking the server; same field names as the server's errorfields. */
export function localErrors(s: CreateFormState): FieldError[] {
  const errs: FieldError[] = [];
  const need = (name: string, v: string, what: string): void => {
    if (!v.trim()) errs.push({ name, content: `${what} is required` });
  };
  need('indexName', s.indexName, 'index name');
  need('table', s.table, 'table');
  need('datasource.dbName', s.dbName, 'database');
  if (s.plugin === 'TiKV') need('datasource.pdAddrs', s.pdAddrs, 'PD addresses');
  else {
    need('datasource.host', s.host, 'host');
    if (!/^\d+$/.test(s.port) || Number(s.port) < 1 || Number(s.port) > 65535) errs.push({ name: 'datasource.port', content: 'port must be a number between 1 and 65535' });
  }
  if (s.columns.length === 0) errs.push({ name: 'columns', content: 'add at least one column' });
  s.columns.forEach((c, i) => need(`columns[${i}].name`, c.name, 'column name'));
  if (s.incrOn) {
    need('incr.mqAddress', s.mqAddress, 'Kafka address');
    need('incr.topic', s.topic, 'topic');
    need('incr.groupId', s.groupId, 'consumer group');
  }
  return errs;
}

export function CreateForm({ navigate }: { navigate: (hash: string) => void }) {
  const [s, setS] = useState<CreateFormState>(initial);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const [messages, setMessages] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);

  const set = <K extends keyof CreateFormState>(k: K, v: CreateFormState[K]): void => setS((old) => ({ ...old, [k]: v }));
  const setColumn = (i: number, patch: Partial<Column>): void => setS((old) => ({ ...old, columns: old.columns.map((c, j) => (j === i ? { ...c, ...patch } : c)) }));
  const errorFor = (name: string) => {
    const hits = fieldErrors.filter((f) => f.name === name);
    return hits.length === 0 ? null : html`<div class="field-error" data-error-for=${name}>${hits.map((h) => h.content).join('; ')}</div>`;
  };
  const text = (label: string, name: string, key: keyof CreateFormState, opts: { type?: string; placeholder?: string } = {}) => html`<label class=${fieldErrors.some((f) => f.name === name) ? 'invalid' : ''}>
      <span>${label}</span>
      <input name=${name} data-field=${name} type=${opts.type ?? 'text'} placeholder=${opts.placeholder ?? ''} value=${s[key] as string}
        onInput=${(e: Event) => set(key, (e.target as HTMLInputElement).value as never)} />
      ${errorFor(name)}
    </label>`;

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const local = localErrors(s);
    setMessages(local.length > 0 ? ['Please fix the marked fields.'] : []);
    setFieldErrors(local);
    if (local.length > 0) return;
    setBusy(true);
    try {
      const { taskid } = await admin<{ taskid: number }>('do_create', buildBody(s));
      navigate(`#/index/${encodeURIComponent(s.indexName.trim())}?task=${taskid}`);
    } catch (err) {
      const api = err instanceof ApiError ? err : new ApiError([String(err)]);
      setFieldErrors([...api.errorfields]);
      setMessages(api.errormsg);
    } finally {
      setBusy(false);
    }
  };

  const known = new Set(['indexName', 'table', 'columns', 'datasource.plugin', 'datasource.host', 'datasource.port', 'datasource.pdAddrs', 'datasource.user', 'datasource.password', 'datasource.dbName', 'incr.mqAddress', 'incr.topic', 'incr.groupId', 'incr.offsetResetStrategy', ...s.columns.flatMap((_, i) => [`columns[${i}].name`, `columns[${i}].token`, `columns[${i}].search`])]);
  const elsewhere = fieldErrors.filter((f) => !known.has(f.name) || (f.name.startsWith('incr.') && !s.incrOn));
  // A message already shown beside its field is summarised at the top instead of repeated.
  const shownByField = new Set(fieldErrors.filter((f) => !elsewhere.includes(f)).map((f) => f.content));
  const topMessages = messages.map((m) => (shownByField.has(m) ? 'Please fix the marked fields.' : m)).filter((m, i, all) => all.indexOf(m) === i);
  const previewBody = buildBody({ ...s, password: s.password ? '********' : '' });

  return html`<section>
    <div class="head"><h1>Create index</h1></div>
    <form class="create" onSubmit=${submit} novalidate>
      ${topMessages.length > 0 || elsewhere.length > 0
        ? html`<div class="error" role="alert">${topMessages.map((m) => html`<div>${m}</div>`)}${elsewhere.map((f) => html`<div><code>${f.name}</code>: ${f.content}</div>`)}</div>`
        : null}
      <fieldset><legend>Index</legend>
        ${text('Index name', 'indexName', 'indexName', { placeholder: 'employees' })}
        ${text('Table', 'table', 'table', { placeholder: 'employees' })}
      </fieldset>
      <fieldset><legend>Data source</legend>
        <label><span>Plugin</span>
          <select name="datasource.plugin" data-field="datasource.plugin" value=${s.plugin} onChange=${(e: Event) => set('plugin', (e.target as HTMLSelectElement).value as 'MySQL' | 'TiKV')}>
            <option value="MySQL">MySQL / MariaDB / TiDB SQL</option>
            <option value="TiKV">TiKV (find TiDB through PD)</option>
          </select>
          ${errorFor('datasource.plugin')}
        </label>
        ${s.plugin === 'TiKV' ? text('PD addresses', 'datasource.pdAddrs', 'pdAddrs', { placeholder: '10.0.0.1:2379,10.0.0.2:2379' }) : html`${text('Host', 'datasource.host', 'host')}${text('Port', 'datasource.port', 'port')}`}
        ${text('Database', 'datasource.dbName', 'dbName')}
        ${text('User', 'datasource.user', 'user')}
        ${text('Password', 'datasource.password', 'password', { type: 'password' })}
      </fieldset>
      <fieldset><legend>Columns</legend>
        ${errorFor('columns')}
        <table class="columns"><thead><tr><th>Column</th><th>Analyzer (token)</th><th>Searchable</th><th></th></tr></thead><tbody>
          ${s.columns.map(
            (c, i) => html`<tr data-row=${i}>
              <td class=${fieldErrors.some((f) => f.name === `columns[${i}].name`) ? 'invalid' : ''}>
                <input name=${`columns[${i}].name`} data-field=${`columns[${i}].name`} value=${c.name} onInput=${(e: Event) => setColumn(i, { name: (e.target as HTMLInputElement).value })} />
                ${errorFor(`columns[${i}].name`)}
              </td>
              <td class=${fieldErrors.some((f) => f.name === `columns[${i}].token`) ? 'invalid' : ''}>
                <select name=${`columns[${i}].token`} data-field=${`columns[${i}].token`} value=${c.token} onChange=${(e: Event) => setColumn(i, { token: (e.target as HTMLSelectElement).value })}>
                  ${(TOKENS as readonly string[]).includes(c.token) ? null : html`<option value=${c.token}>${c.token}</option>`}
                  ${TOKENS.map((t) => html`<option value=${t}>${t}</option>`)}
                </select>
                ${errorFor(`columns[${i}].token`)}
              </td>
              <td><input type="checkbox" name=${`columns[${i}].search`} checked=${c.search} onChange=${(e: Event) => setColumn(i, { search: (e.target as HTMLInputElement).checked })} />${errorFor(`columns[${i}].search`)}</td>
              <td><button type="button" class="link" onClick=${() => setS((old) => ({ ...old, columns: old.columns.filter((_, j) => j !== i) }))} aria-label=${`remove column ${i}`}>remove</button></td>
            </tr>`,
          )}
        </tbody></table>
        <button type="button" name="add-column" onClick=${() => setS((old) => ({ ...old, columns: [...old.columns, { name: '', token: 'ik', search: true }] }))}>Add column</button>
      </fieldset>
      <fieldset><legend><label class="inline"><input type="checkbox" name="incrOn" checked=${s.incrOn} onChange=${(e: Event) => set('incrOn', (e.target as HTMLInputElement).checked)} /> Incremental channel (TiCDC → Kafka)</label></legend>
        ${s.incrOn
          ? html`${text('Kafka bootstrap', 'incr.mqAddress', 'mqAddress', { placeholder: '10.0.0.5:9092' })}
              ${text('Topic', 'incr.topic', 'topic')}
              ${text('Consumer group', 'incr.groupId', 'groupId')}
              <label><span>Offset reset</span>
                <select name="incr.offsetResetStrategy" value=${s.offsetResetStrategy} onChange=${(e: Event) => set('offsetResetStrategy', (e.target as HTMLSelectElement).value as 'earliest')}>
                  <option value="earliest">earliest</option><option value="latest">latest</option><option value="none">none</option>
                </select>${errorFor('incr.offsetResetStrategy')}
              </label>`
          : null}
      </fieldset>
      <details><summary>Request body (do_create)</summary><pre class="curl">${JSON.stringify(previewBody, null, 2)}</pre></details>
      <button class="primary" type="submit" name="create" disabled=${busy}>${busy ? 'Creating…' : 'Create index'}</button>
    </form>
  </section>`;
}
