// Analysis: the analyzer contract, the registry of the six analyzers, and the worker pool for bulk builds.
export type { Analyzer, AnalyzerRegistry, AnalyzeMode } from './analyzer.js';
export { createAnalyzers, type AnalyzerOptions, type ReloadableAnalyzerRegistry } from './registry.js';
export { DEFAULT_WORD_FREQUENCY, type UserDictFiles } from './user-dict.js';
export { createAnalysisPool, type AnalysisJob, type AnalysisPool, type AnalysisPoolOptions, type ShardedIndexer } from './pool.js';
