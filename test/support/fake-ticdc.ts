// A fake TiCDC server speaking the documented OpenAPI v2 changefeed calls (docs.pingcap.com ticdc-open-api-v2):
// POST /api/v2/changefeeds, GET and DELETE /api/v2/changefeeds/{id}; errors as {error_msg, error_code}.
// Keeps `start_ts` as the raw JSON number text so tests can check no precision was lost.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeChangefeed {
  readonly id: string;
  /** Exactly as the JSON request carried it (digits). */
  readonly startTsText: string;
  readonly sinkUri: string;
  readonly replicaConfig: unknown;
}

export interface FakeTicdc extends AsyncDisposable {
  readonly addr: string;
  readonly changefeeds: Map<string, FakeChangefeed>;
  readonly requests: { method: string; path: string; body: string }[];
  /** Makes the next request answer this status and error (then behaves normally again). */
  failNext(status: number, errorCode: string, errorMsg: string): void;
  stop(): Promise<void>;
}

const ID_RE = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;

export async function startFakeTicdc(): Promise<FakeTicdc> {
  const changefeeds = new Map<string, FakeChangefeed>();
  const requests: { method: string; path: string; body: string }[] = [];
  let injected: { status: number; code: string; msg: string } | undefined;

  const send = (res: ServerResponse, status: number, json: string): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(json);
  };
  const fail = (res: ServerResponse, status: number, code: string, msg: string): void =>
    send(res, status, JSON.stringify({ error_msg: msg, error_code: code }));
  const render = (cf: FakeChangefeed): string =>
    // Built by hand: the TSOs must go out as bare uint64 numbers, as TiCDC writes them.
    `{"id":${JSON.stringify(cf.id)},"namespace":"default","sink_uri":${JSON.stringify(cf.sinkUri)},"start_ts":${cf.startTsText},` +
    `"target_ts":0,"checkpoint_ts":${cf.startTsText},"resolved_ts":${cf.startTsText},"state":"normal","error":null,` +
    `"config":${JSON.stringify(cf.replicaConfig ?? {})},"creator_version":"v8.5.0"}`;

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname, body });
    if (injected) {
      const { status, code, msg } = injected;
      injected = undefined;
      return fail(res, status, code, msg);
    }
    const one = /^\/api\/v2\/changefeeds\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/api/v2/changefeeds') {
      let parsed: { changefeed_id?: string; sink_uri?: string; replica_config?: unknown };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return fail(res, 400, 'CDC:ErrAPIInvalidParam', 'invalid JSON body');
      }
      const startTsText = /"start_ts"\s*:\s*(\d+)/.exec(body)?.[1] ?? '0';
      if (!parsed.sink_uri) return fail(res, 400, 'CDC:ErrAPIInvalidParam', 'sink_uri is required');
      const id = parsed.changefeed_id ?? 'generated-id';
      if (!ID_RE.test(id)) return fail(res, 400, 'CDC:ErrAPIInvalidParam', `invalid changefeed id ${id}`);
      if (changefeeds.has(id)) return fail(res, 400, 'CDC:ErrChangeFeedAlreadyExists', `[CDC:ErrChangeFeedAlreadyExists]changefeed already exists: ${id}`);
      const cf = { id, startTsText, sinkUri: parsed.sink_uri, replicaConfig: parsed.replica_config };
      changefeeds.set(id, cf);
      return send(res, 200, render(cf));
    }
    if (one && req.method === 'GET') {
      const cf = changefeeds.get(decodeURIComponent(one[1]!));
      if (!cf) return fail(res, 400, 'CDC:ErrChangeFeedNotExists', `[CDC:ErrChangeFeedNotExists]changefeed not exists: ${one[1]}`);
      return send(res, 200, render(cf));
    }
    if (one && req.method === 'DELETE') {
      changefeeds.delete(decodeURIComponent(one[1]!));
      return send(res, 200, '{}');
    }
    return fail(res, 404, 'CDC:ErrUnknown', `no route ${req.method} ${url.pathname}`);
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return {
    addr: `127.0.0.1:${port}`,
    changefeeds,
    requests,
    failNext(status, code, msg) {
      injected = { status, code, msg };
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
