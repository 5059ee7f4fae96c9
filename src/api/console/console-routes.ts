// Serves the web console: `/` is its page, `/console/*` its script and stylesheet. Assets are loaded
// (or built) on the first request and then kept in memory; the page itself calls the admin API.
import type { FastifyInstance } from 'fastify';
import { loadConsoleAssets, type ConsoleAssets, type LoadOptions } from './console-assets.js';

export interface ConsoleRoutesOptions extends LoadOptions {}

export async function consoleRoutes(app: FastifyInstance, opts: ConsoleRoutesOptions): Promise<void> {
  let loading: Promise<ConsoleAssets> | undefined;
  const assets = (): Promise<ConsoleAssets> => {
    loading ??= loadConsoleAssets(opts).then(
      (r) => {
        app.log.info({ origin: r.origin }, 'console assets ready');
        return r.assets;
      },
      (err: unknown) => {
        loading = undefined; // let a later request retry (e.g. after `npm run build`)
        throw err;
      },
    );
    return loading;
  };

  const send = async (name: string, ifNoneMatch: string | undefined, reply: import('fastify').FastifyReply) => {
    let files: ConsoleAssets;
    try {
      files = await assets();
    } catch (err) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The console is not built and cannot be built here (${(err as Error).message}). Run \`npm run build\`.\n`);
    }
    const file = files.get(name);
    if (file === undefined) return reply.code(404).type('text/plain').send('not found\n');
    reply.header('etag', file.etag).header('cache-control', 'no-cache');
    if (ifNoneMatch === file.etag) return reply.code(304).send();
    return reply.type(file.contentType).send(file.body);
  };

  app.get('/', (req, reply) => send('index.html', req.headers['if-none-match'], reply));
  app.get('/console', (req, reply) => send('index.html', req.headers['if-none-match'], reply));
  app.get<{ Params: { file: string } }>('/console/:file', (req, reply) => send(req.params.file, req.headers['if-none-match'], reply));
}
