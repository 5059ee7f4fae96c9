// A tiny HTTP server answering the admin envelope and Solr select, scripted per test; records requests.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly emethod: string | null;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export type Handler = (req: Recorded) => { status?: number; json: unknown } | undefined;

export interface FakeServer extends AsyncDisposable {
  readonly url: string;
  readonly requests: Recorded[];
}

export const ok = (bizresult: unknown) => ({ json: { success: true, errormsg: [], msg: [], bizresult } });
export const fail = (errormsg: string[], errorfields: { name: string; content: string }[] = []) => ({
  json: { success: false, errormsg, msg: [], bizresult: {}, errorfields },
});

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: Recorded = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      emethod: url.searchParams.get('emethod'),
      body: text ? JSON.parse(text) : null,
      authorization: req.headers.authorization,
    };
    requests.push(rec);
    const answer = handler(rec) ?? { status: 404, json: { error: { msg: 'not scripted' } } };
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
