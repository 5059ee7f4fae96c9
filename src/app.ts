// The composition root: the only place that constructs concrete implementations and wires them together.
// Never listens (main.ts does), so tests build the app and drive it through inject() or a real port.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { Catalog } from './catalog/catalog.js';
import { TaskRunner } from './tasks/runner.js';
import { IndexService } from './pipeline/indexes.js';
import { Channels } from './pipeline/channels.js';
import { createChannelWorkers } from './pipeline/channel-workers.js';
import { openWriterThread } from './pipeline/channel-writer.js';
import type { DatasourceConfig, IncrConfig } from './pipeline/requests.js';
import type { ChangeStream, TransportStatus } from './stream/change-stream.js';
import { createMySqlSource } from './source/mysql/index.js';
import { createTikvSource } from './source/tikv/index.js';
import { createKafkaChangeStream } from './stream/kafka/index.js';
import { createAnalyzers, createAnalysisPool } from './engine/analysis/index.js';
import { openGenerationFile } from './engine/store/generation-file.js';
import { countTopK } from './engine/store/topk-table.js';
import { docCounter } from './engine/store/doc-count.js';
import { createSearchPool, rankExtensionProblem } from './engine/search/index.js';
import { parseUtcOffset } from './core/value.js';
import { createObservability, type Observability } from './observability/index.js';
import { adminRoutes } from './api/admin/routes.js';
import { solrRoutes } from './api/solr/index.js';
import { metricsRoutes } from './api/metrics/metrics-routes.js';
import { consoleRoutes } from './api/console/index.js';

export interface App {
  readonly http: FastifyInstance;
  readonly indexes: IndexService;
  readonly channels: Channels;
  readonly catalog: Catalog;
  readonly observability: Observability;
  close(): Promise<void>;
}

export interface AppOverrides {
  /** Replaces the Kafka transport (tests of the pipeline against other transports). */
  readonly openStream?: (incr: IncrConfig, purpose: 'live' | 'catch-up' | 'admin', onStatus?: (s: TransportStatus) => void) => ChangeStream;
  readonly observability?: Observability;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  fs.mkdirSync(path.join(config.dataDir, 'indexes'), { recursive: true });
  const obs = overrides.observability ?? createObservability({ logLevel: config.logLevel });
  const { events, logger } = obs;
  const catalog = new Catalog(path.join(config.dataDir, 'meta.db'), { taskLogMaxLines: config.taskLogMaxLines });
  const analyzers = createAnalyzers({ userDictPath: config.userDictPath, stopWordsPath: config.stopWordsPath });
  const tzMinutes = parseUtcOffset(config.sourceTimeZone);
  const poolOptions = { ...(config.analysisWorkers ? { size: config.analysisWorkers } : {}), userDictPath: config.userDictPath, stopWordsPath: config.stopWordsPath };
  // Searches run on their own threads (started on the first search), each with its own read-only connections.
  const searchPool = createSearchPool({ userDictPath: config.userDictPath, stopWordsPath: config.stopWordsPath });
  const rankProblem = rankExtensionProblem();
  if (rankProblem !== null) logger.warn({ reason: rankProblem }, 'searches rank with FTS5 bm25(): the tsrank extension did not load (frequent terms rank several times slower)');

  const runner = new TaskRunner(catalog, {
    onProgress: ({ taskId, indexName, stage, progress }) => {
      const p = progress[stage];
      events.emit('build.progress', { index: indexName, taskId, stage, rowsDone: p?.rowsDone ?? 0, rowsTotal: p?.rowsTotal || null });
    },
    onFinished: ({ taskId, indexName, ok, error, ms }) => {
      events.emit('build.finished', { index: indexName, taskId, ok, docs: indexes.docCount(indexName) ?? 0, durationMs: ms, ...(error ? { error } : {}) });
    },
    onLog: ({ taskId, indexName, line }) => logger.info({ index: indexName, taskId }, line),
  });

  const openStream =
    overrides.openStream ??
    ((incr: IncrConfig, purpose: string, onStatus?: (s: TransportStatus) => void) =>
      createKafkaChangeStream({
        ...(onStatus ? { onStatus } : {}),
        logger: logger.child({ component: 'kafka', topic: incr.topic }),
        brokers: incr.mqAddress.split(',').map((s) => s.trim()).filter(Boolean),
        topic: incr.topic,
        groupId: incr.groupId,
        clientId: `tidesearch-${purpose}`,
        maxWaitTimeMs: incr.maxWaitMs,
      }));

  const openSource = (ds: DatasourceConfig, log?: (line: string) => void) =>
    ds.plugin === 'MySQL'
      ? createMySqlSource({ host: ds.host, port: ds.port, user: ds.user, password: ds.password, timeZoneOffsetMinutes: tzMinutes, parallel: config.dumpParallel })
      : createTikvSource({
          ...(ds.pdAddrs ? { pdAddrs: ds.pdAddrs } : {}),
          ...(ds.tidbAddrs ? { tidbAddrs: ds.tidbAddrs } : {}),
          user: ds.user,
          password: ds.password,
          timeZoneOffsetMinutes: tzMinutes,
          parallel: config.dumpParallel,
          ...(log ? { log } : {}),
        });

  const channels: Channels = new Channels({
    catalog,
    analyzers,
    openStream,
    // The index service owns the file layout; channels are only called after it exists.
    generationFile: (name: string, gen: number): string => indexes.generationFile(name, gen),
    workers: () => createChannelWorkers(poolOptions),
    // Each generation a channel writes gets a thread of its own: a commit never holds up this event loop.
    openWriter: (file, spec, o) => openWriterThread(file, spec, { ...o, userDictPath: config.userDictPath, stopWordsPath: config.stopWordsPath }),
    observer: {
      applied: (e) => events.emit('channel.applied', e),
      state: (e) => events.emit('channel.state', { index: e.index, state: e.state === 'catching-up' ? 'running' : e.state === 'retrying' ? 'paused' : e.state, ...(e.reason ? { reason: e.reason } : {}) }),
    },
  });

  const indexes: IndexService = new IndexService({
    catalog,
    runner,
    dataDir: config.dataDir,
    openSource,
    analysis: () => {
      analyzers.reload?.();
      return createAnalysisPool(poolOptions);
    },
    openReader: (file, spec) => {
      const searcher = searchPool.open(file, spec);
      const counter = openGenerationFile(file, { readonly: true });
      const count = docCounter(counter);
      const topk = countTopK(counter);
      return {
        searcher,
        docCount: count,
        topK: () => topk?.() ?? null,
        close: () => {
          searcher.close();
          counter.close();
        },
      };
    },
    onDeleted: (index) => events.emit('index.deleted', { index }),
    channels,
    batchRows: config.buildBatchRows,
    parallel: config.dumpParallel,
    topkMinDocs: config.topkMinDocs,
  });
  await indexes.recover();

  const http = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  http.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 400) events.emit('http.error', { method: req.method, route: req.routeOptions.url ?? req.url, status: reply.statusCode, code: String(reply.statusCode) });
  });
  await http.register(adminRoutes, {
    services: { indexes, catalog, channels },
    token: config.token,
    onError: (e, emethod) => {
      // Business errors answer HTTP 200 with the envelope; count them by code all the same.
      events.emit('http.error', { method: 'POST', route: `config.ajax?emethod=${emethod}`, status: 200, code: e.code });
      if (e.code === 'INTERNAL') logger.error({ err: e.cause ?? e, emethod }, 'admin call failed');
      else logger.info({ code: e.code, field: e.field, emethod }, e.message);
    },
  });
  await http.register(solrRoutes, {
    // The live reader alone (it exists only while the index does): a catalog read per query cost ~0.2 ms.
    resolve: (name: string) => {
      const searcher = indexes.reader(name)?.searcher;
      return searcher ? { spec: searcher.spec, searcher } : undefined;
    },
    list: () => catalog.listIndexes().map((i) => i.name),
    onQuery: (index: string, ms: number, hits: number) => events.emit('query', { index, ms, hits }),
  });
  await http.register(metricsRoutes, {
    metrics: obs.metrics,
    history: obs.history,
    ready: () => {
      const reasons = catalog.listIndexes().filter((i) => i.liveGen !== null && !indexes.reader(i.name)).map((i) => `index ${i.name}: generation not loaded`);
      return { ok: reasons.length === 0, reasons };
    },
  });
  await http.register(consoleRoutes, {});

  return {
    http,
    indexes,
    channels,
    catalog,
    observability: obs,
    async close() {
      await http.close();
      await channels.closeAll();
      await indexes.close();
      await searchPool.close();
      catalog.close();
      obs.close();
    },
  };
}
