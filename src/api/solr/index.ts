// The Solr-compatible query API.
export { solrRoutes, type SolrRoutesOptions, type SolrIndexHandle } from './routes.js';
export { writeJson } from './json-writer.js';
