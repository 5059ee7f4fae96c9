// The query layer: Lucene/edismax text → Query tree → Condition → SQL pieces.
export * from './ast.js';
export * from './lucene-parser.js';
export * from './edismax.js';
export * from './fields.js';
export * from './field-values.js';
export * from './condition.js';
export * from './compiler.js';
