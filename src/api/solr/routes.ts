// The Solr HTTP API as a Fastify plugin: /solr/{index}/select, /get, /admin/ping, /schema/fields and
// /solr/admin/collections. Routes only translate HTTP into searcher calls and lay out Solr's JSON.
// Indexes are also found under TIS's collection name `search4{indexName}`.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IndexSpec } from '../../core/schema.js';
import type { Searcher } from '../../engine/search/index.js';
import { asTidesearchError, TidesearchError } from '../../errors/index.js';
import { writeJson } from './json-writer.js';
import { collectParams, echoedParams, first, searchRequestOf, type SolrParams } from './params.js';
import { errorBody, selectBody, type Header } from './response.js';
import { schemaFields } from './schema-fields.js';

export interface SolrIndexHandle {
  readonly spec: IndexSpec;
  readonly searcher: Searcher;
}

export interface SolrRoutesOptions {
  resolve(indexName: string): SolrIndexHandle | undefined;
  /** Index names for /solr/admin/collections?action=LIST. */
  list?(): readonly string[];
  /** Called after each successful select with its time and numFound. */
  onQuery?(index: string, ms: number, hits: number): void;
  /** Called for failures that are not the client's fault (code INTERNAL). */
  onError?(e: TidesearchError, index: string | undefined): void;
}

const TIS_PREFIX = 'search4';
const JSON_TYPE = 'application/json;charset=utf-8';

export async function solrRoutes(app: FastifyInstance, opts: SolrRoutesOptions): Promise<void> {
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);

  const find = (name: string): SolrIndexHandle | undefined =>
    opts.resolve(name) ?? (name.startsWith(TIS_PREFIX) && name.length > TIS_PREFIX.length ? opts.resolve(name.slice(TIS_PREFIX.length)) : undefined);

  type Answer = { body: Record<string, unknown>; hits?: number };
  type Handler = (h: SolrIndexHandle, p: SolrParams, name: string) => Answer | Promise<Answer>;
  const route = (paths: readonly string[], handler: Handler, withHeader = true): void => {
    const run = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const began = process.hrtime.bigint();
      const params = collectParams(req.query, req.method === 'POST' ? req.body : undefined);
      const name = (req.params as { index: string }).index;
      const header = (status: number): Header => {
        const QTime = Number((process.hrtime.bigint() - began) / 1_000_000n);
        const echoed = echoedParams(params);
        return echoed ? { status, QTime, params: echoed } : { status, QTime };
      };
      const indent = (first(params, 'indent') ?? '').toLowerCase() === 'true' || first(params, 'indent') === 'on';
      try {
        const h = find(name);
        if (!h) throw new TidesearchError('INDEX_NOT_FOUND', `no such collection or core: ${name}`, { field: 'index' });
        const { body, hits } = await handler(h, params, name);
        const full = withHeader ? { responseHeader: header(0), ...body } : body;
        if (hits !== undefined) opts.onQuery?.(name, Number(process.hrtime.bigint() - began) / 1e6, hits);
        await reply.code(200).type(JSON_TYPE).send(writeJson(full, indent));
      } catch (err) {
        const e = asTidesearchError(err);
        if (e.code === 'INTERNAL') opts.onError?.(e, name);
        await reply.code(e.status).type(JSON_TYPE).send(writeJson(errorBody(header(e.status), e), indent));
      }
    };
    for (const path of paths) {
      for (const p of [path, `${path}/`]) {
        app.get(p, run);
        app.post(p, run);
      }
    }
  };

  route(['/solr/:index/select'], async (h, p) => {
    const result = await h.searcher.search(searchRequestOf(p));
    return { body: selectBody(result), hits: result.numFound };
  });
  route(
    ['/solr/:index/get'],
    async (h, p) => {
      // Real-time get reads the generation like select does: it sees what the writer has committed.
      const ids = [...(p.get('id') ?? []), ...(p.get('ids') ?? []).flatMap((s) => s.split(',').map((x) => x.trim()).filter(Boolean))];
      const docs = await h.searcher.get(ids, (p.get('fl') ?? []).join(',') || undefined);
      // Solr answers a single `id` with {doc}, several (or `ids`) with a response list.
      if (p.has('id') && !p.has('ids') && ids.length === 1) return { body: { doc: docs[0] ?? null } };
      return { body: { response: { numFound: docs.length, start: 0, numFoundExact: true, docs } } };
    },
    false,
  );
  route(['/solr/:index/admin/ping'], () => ({ body: { status: 'OK' } }));
  route(['/solr/:index/schema/fields'], (h) => ({ body: { fields: schemaFields(h.spec) } }));

  const collections = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const params = collectParams(req.query);
    const action = (first(params, 'action') ?? '').toUpperCase();
    if (action !== 'LIST') {
      const e = new TidesearchError('BAD_REQUEST', `Unsupported collections action '${action}'; only LIST is available`, { field: 'action' });
      await reply.code(400).type(JSON_TYPE).send(writeJson(errorBody({ status: 400, QTime: 0 }, e)));
      return;
    }
    await reply.type(JSON_TYPE).send(writeJson({ responseHeader: { status: 0, QTime: 0 }, collections: [...(opts.list?.() ?? [])] }));
  };
  app.get('/solr/admin/collections', collections);
  app.get('/solr/admin/collections/', collections);
}
