// The searcher: one generation file → Solr-style search results.
export * from './request.js';
export { createSearcher, type Searcher, type SearcherOptions } from './searcher.js';
export { highlight, needlesOf } from './highlighter.js';
