// The searcher: one generation file → Solr-style search results, in this thread or on a pool of threads.
export * from './request.js';
export { createSearcher, inThread, type GenerationSearcher, type Searcher, type SearcherOptions } from './searcher.js';
export { createSearchPool, type SearchPool, type SearchPoolOptions } from './search-pool.js';
export { highlight, needlesOf } from './highlighter.js';
export { rankExtensionProblem, type RankFunction } from '../store/rank-extension.js';
