// `string`: the whole value as one exact, case-sensitive token. String fields are matched through a B-tree
// column by the engine, never through FTS5, so this only normalises query terms (and returns them unchanged).
import type { Analyzer } from './analyzer.js';

export function createStringAnalyzer(): Analyzer {
  return {
    name: 'string',
    indexText(text: string): string {
      return this.analyze(text, 'index').join(' ');
    },
    queryJoin: 'all',
    analyze(text: string): string[] {
      return [text];
    },
  };
}
