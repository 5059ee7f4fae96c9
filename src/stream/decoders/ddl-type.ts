// One vocabulary for DDL kinds across protocols: the statement's leading keywords, upper-case
// (`CREATE TABLE`, `ALTER TABLE`, `TRUNCATE TABLE`, `DROP DATABASE`, ...), read from the query text that every
// protocol carries. canal-json says only "QUERY", so the query is the one source all three share.

const LEADING = /^\s*(?:\/\*.*?\*\/\s*)*([A-Za-z]+)(?:\s+(?:(?:UNIQUE|FULLTEXT|SPATIAL|TEMPORARY|OR\s+REPLACE)\s+)?([A-Za-z]+))?/s;
const OBJECTS = new Set(['TABLE', 'TABLES', 'DATABASE', 'SCHEMA', 'INDEX', 'VIEW', 'SEQUENCE', 'PLACEMENT']);

export function ddlTypeOfQuery(query: string, fallback: string): string {
  const m = LEADING.exec(query);
  if (!m) return fallback;
  const verb = m[1]!.toUpperCase();
  const object = m[2]?.toUpperCase();
  return object !== undefined && OBJECTS.has(object) ? `${verb} ${object}` : verb;
}
