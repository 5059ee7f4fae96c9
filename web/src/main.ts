// Console entry: hash routes (#/, #/index/NAME?task=N, #/search/NAME, #/create) and the token dialog.
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, tokenStore } from './api.js';
import { TokenDialog } from './components.js';
import { CreateForm } from './create-form.js';
import { IndexList } from './index-list.js';
import { IndexPage } from './index-page.js';
import { SearchPage } from './search-page.js';

interface Route {
  readonly page: 'list' | 'index' | 'search' | 'create';
  readonly name: string;
  readonly task: number | null;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const task = new URLSearchParams(query).get('task');
  if (parts[0] === 'index' && parts[1]) return { page: 'index', name: parts[1], task: task === null ? null : Number(task) };
  if (parts[0] === 'search' && parts[1]) return { page: 'search', name: parts[1], task: null };
  if (parts[0] === 'create') return { page: 'create', name: '', task: null };
  return { page: 'list', name: '', task: null };
}

function App() {
  const [hash, setHash] = useState(location.hash);
  const [askToken, setAskToken] = useState(false);
  // Bumped after a token is saved so every page remounts and reloads with it.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const onHash = (): void => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    const off = onUnauthorized(() => setAskToken(true));
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  }, []);
  const navigate = (h: string): void => {
    location.hash = h;
  };
  const route = parseRoute(hash);
  const page =
    route.page === 'index'
      ? html`<${IndexPage} key=${route.name} name=${route.name} taskParam=${route.task} navigate=${navigate} />`
      : route.page === 'search'
        ? html`<${SearchPage} key=${route.name} name=${route.name} />`
        : route.page === 'create'
          ? html`<${CreateForm} navigate=${navigate} />`
          : html`<${IndexList} />`;
  return html`<header class="top"><a href="#/" class="brand">Tidesearch</a><nav><a href="#/">Indexes</a><a href="#/create">Create</a><a href="/metrics" target="_blank">Metrics</a></nav></header>
    <main key=${generation}>${page}</main>
    ${askToken
      ? html`<${TokenDialog} onSave=${(t: string) => {
          tokenStore.set(t);
          setAskToken(false);
          setGeneration((g) => g + 1);
        }} />`
      : null}`;
}

render(html`<${App} />`, document.getElementById('app')!);
