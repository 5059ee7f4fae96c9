// The admin endpoint: POST /solr/config/config.ajax?action=collection_action&emethod=NAME (also under
// /tjs/, where the original implementation mounted it). Thin: parse, authorise, dispatch, wrap.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TidesearchError, asTidesearchError } from '../../errors/index.js';
import { parseAdminBody } from './body.js';
import { canonicalEmethod } from './emethod.js';
import { fail, type Envelope } from './envelope.js';
import type { AdminServices } from './services.js';
import { create } from './methods/create.js';
import { getIndexStatus } from './methods/get-index-status.js';
import { getTaskStatus } from './methods/get-task-status.js';
import { getIncrStatus } from './methods/get-incr-status.js';
import { createIncr } from './methods/create-incr.js';
import { fullbuild } from './methods/fullbuild.js';
import { deleteIndex } from './methods/delete-index.js';
import { listIndexes } from './methods/list-indexes.js';

type Handler = (svc: AdminServices, body: unknown) => Promise<Envelope>;

export const METHODS: Readonly<Record<string, Handler>> = {
  create,
  get_index_status: getIndexStatus,
  get_task_status: getTaskStatus,
  get_incr_status: getIncrStatus,
  create_incr: createIncr,
  fullbuild,
  delete_index: deleteIndex,
  list_indexes: listIndexes,
};

export interface AdminRoutesOptions {
  readonly services: AdminServices;
  readonly token?: string | undefined;
  readonly onError?: (e: TidesearchError, emethod: string) => void;
}

function presentedToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const header = req.headers['x-tidesearch-token'];
  if (typeof header === 'string') return header;
  return (req.query as Record<string, string | undefined>).token;
}

export async function adminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): Promise<void> {
  // Bodies are read as text here so that JSON5 and bad JSON reach the envelope instead of a 400 page.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  const handle = async (req: FastifyRequest): Promise<Envelope> => {
    const q = req.query as Record<string, string | undefined>;
    const emethod = q.emethod ?? '';
    try {
      if (opts.token !== undefined && presentedToken(req) !== opts.token) {
        throw new TidesearchError('UNAUTHORIZED', 'this server requires an admin token: send Authorization: Bearer <TIDESEARCH_TOKEN>');
      }
      if (q.action !== undefined && q.action !== 'collection_action') {
        throw new TidesearchError('UNKNOWN_METHOD', `unknown action '${q.action}'; expected action=collection_action`, { field: 'action' });
      }
      const handler = METHODS[canonicalEmethod(emethod)];
      if (!handler) {
        const known = Object.keys(METHODS).map((m) => `do_${m}`).join(', ');
        throw new TidesearchError('UNKNOWN_METHOD', `unknown emethod '${emethod}'; known: ${known}`, { field: 'emethod' });
      }
      const body = typeof req.body === 'string' ? parseAdminBody(req.body) : (req.body ?? {});
      return await handler(opts.services, body);
    } catch (e) {
      const err = asTidesearchError(e);
      opts.onError?.(err, emethod);
      return fail(err);
    }
  };
  for (const prefix of ['/solr', '/tjs']) {
    app.post(`${prefix}/config/config.ajax`, handle);
    app.get(`${prefix}/config/config.ajax`, handle);
  }
}
