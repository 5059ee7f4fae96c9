// FTS5 query-expression text. Tokens come from analyzers (no ASCII whitespace or punctuation), and are
// always double-quoted so no token is ever read as an FTS5 operator; the expression itself is bound as a
// parameter of MATCH, never pasted into SQL.

export function quoteToken(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/** Adjacent tokens in order (a phrase); `prefixLast` makes the last token a prefix. */
export function phrase(tokens: readonly string[], prefixLast = false): string {
  return `${quoteToken(tokens.join(' '))}${prefixLast ? ' *' : ''}`;
}

/** Tokens within `slop` tokens of each other (FTS5 NEAR, unordered). */
export function near(tokens: readonly string[], slop: number): string {
  return `NEAR(${tokens.map(quoteToken).join(' ')}, ${slop})`;
}

export function allOf(exprs: readonly string[]): string {
  return exprs.length === 1 ? exprs[0]! : exprs.map((e) => `(${e})`).join(' AND ');
}

export function anyOf(exprs: readonly string[]): string {
  return exprs.length === 1 ? exprs[0]! : exprs.map((e) => `(${e})`).join(' OR ');
}

/** Restricts an expression to FTS5 columns, e.g. `{t0 t2} : (expr)`. */
export function inColumns(columns: readonly string[], expr: string): string {
  return `{${columns.join(' ')}} : (${expr})`;
}
