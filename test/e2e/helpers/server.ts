// Starts Tidesearch for end-to-end tests: in-process on a random port (buildApp), or as a real child
// process (`tidesearch serve`) for crash tests. Both on a fresh temp data dir, both talk HTTP.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { buildApp, type App, type AppOverrides } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import { freePort } from '../../support/index.js';

export interface Envelope<B = any> {
  success: boolean;
  errormsg: string[];
  msg: string[];
  bizresult: B;
  errorfields?: { name: string; content: string }[];
  errorcode?: string;
}

export interface Client {
  readonly url: string;
  admin<B = any>(emethod: string, body: unknown, o?: { token?: string; raw?: boolean }): Promise<Envelope<B>>;
  select(index: string, params: Record<string, string | string[]>): Promise<any>;
  /** Polls do_get_task_status until complete; returns the last bizresult. */
  waitForTask(taskid: number, timeoutMs?: number, onPoll?: (b: any) => void): Promise<any>;
}

export function client(url: string, token?: string): Client {
  const c: Client = {
    url,
    async admin(emethod, body, o = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const t = o.token ?? token;
      if (t) headers.authorization = `Bearer ${t}`;
      const res = await fetch(`${url}/solr/config/config.ajax?action=collection_action&emethod=${emethod}`, {
        method: 'POST',
        headers,
        body: o.raw ? (body as string) : JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`admin ${emethod}: HTTP ${res.status}`);
      return (await res.json()) as Envelope;
    },
    async select(index, params) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
      if (!qs.has('wt')) qs.set('wt', 'json');
      const res = await fetch(`${url}/solr/${index}/select?${qs}`);
      const json = await res.json();
      if (res.status !== 200) throw Object.assign(new Error(`select: HTTP ${res.status} ${JSON.stringify(json)}`), { status: res.status, body: json });
      return json;
    },
    async waitForTask(taskid, timeoutMs = 120_000, onPoll) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await c.admin('do_get_task_status', { taskid, log: true });
        if (!r.success) throw new Error(`task ${taskid}: ${r.errormsg.join('; ')}`);
        onPoll?.(r.bizresult);
        if (r.bizresult.complete) return r.bizresult;
        if (Date.now() > deadline) throw new Error(`task ${taskid} not complete after ${timeoutMs} ms: ${JSON.stringify(r.bizresult)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  return c;
}

export interface InProcessServer extends Client, AsyncDisposable {
  readonly app: App;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startServer(o: { env?: Record<string, string>; dataDir?: string; overrides?: AppOverrides } = {}): Promise<InProcessServer> {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'tidesearch-data-'));
  const config = loadConfig(['--port', '0', '--data', dataDir, '--host', '127.0.0.1', '--log-level', 'warn'], o.env ?? {});
  const app = await buildApp(config, o.overrides ?? {});
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.http.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const c = client(url, o.env?.TIDESEARCH_TOKEN);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...c, app, dataDir, close, [Symbol.asyncDispose]: close };
}

export interface ChildServer extends Client {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

/** `tidesearch serve` as a real process, exactly as a user starts it. */
export async function startChildServer(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const port = await freePort();
  // TIDESEARCH_NODE_FLAGS: extra node flags for the server (e.g. --cpu-prof when profiling a benchmark).
  const flags = (process.env.TIDESEARCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  // TIDESEARCH_SERVER_ENTRY=dist runs the compiled server (`npm run build` first), as production does.
  const entry = process.env.TIDESEARCH_SERVER_ENTRY === 'dist' ? [path.join(root, 'dist/src/main.js')] : ['--import', 'tsx', path.join(root, 'src/main.ts')];
  const child = spawn(process.execPath, [...flags, ...entry, 'serve', '--port', String(port), '--data', dataDir, '--host', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, TIDESEARCH_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // TIDESEARCH_SERVER_LOG=<file>: the server's output also goes there (e.g. with --trace-gc when profiling).
  if (process.env.TIDESEARCH_SERVER_LOG) {
    const log = createWriteStream(process.env.TIDESEARCH_SERVER_LOG, { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  }
  const url = `http://127.0.0.1:${port}`;
  // Generous: tsx compiles the sources at start, which is slow on a busy 2-core machine.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ...client(url, env.TIDESEARCH_TOKEN),
    child,
    port,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
