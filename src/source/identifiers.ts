// The one place SQL identifiers are quoted. Every table, database and column name that reaches SQL text
// goes through quoteIdentifier; values always go through `?` parameters instead.

const MAX_IDENTIFIER_LENGTH = 64;

/**
 * `name` → `` `name` `` with embedded backticks doubled, the only escape MySQL/MariaDB/TiDB honour inside
 * a quoted identifier (backslashes, quotes, `;` and `--` are plain characters there).
 * NUL cannot appear in an identifier, so it is refused rather than silently passed on.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new TypeError('an SQL identifier cannot be empty');
  if (name.length > MAX_IDENTIFIER_LENGTH) throw new TypeError(`SQL identifier longer than ${MAX_IDENTIFIER_LENGTH} characters: ${JSON.stringify(name)}`);
  if (name.includes('\0')) throw new TypeError(`SQL identifier contains NUL: ${JSON.stringify(name)}`);
  return '`' + name.replaceAll('`', '``') + '`';
}

/** `db`.`table`, each part quoted. */
export function quoteTableName(db: string, table: string): string {
  return `${quoteIdentifier(db)}.${quoteIdentifier(table)}`;
}
