// JSON text for Solr responses. Unlike JSON.stringify it writes bigint as a plain number literal, so
// 64-bit integers reach clients exactly; `indent` matches Solr's two-space layout.

export function writeJson(value: unknown, indent = false): string {
  const out: string[] = [];
  write(value, indent ? '\n' : '', out);
  return out.join('');
}

function write(v: unknown, nl: string, out: string[]): void {
  const inner = nl ? `${nl}  ` : '';
  if (v === null || v === undefined) out.push('null');
  else if (typeof v === 'bigint') out.push(v.toString());
  else if (typeof v === 'number') out.push(Number.isFinite(v) ? String(v) : 'null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (Array.isArray(v)) {
    if (v.length === 0) return void out.push('[]');
    out.push('[');
    v.forEach((item, i) => {
      if (i > 0) out.push(',');
      out.push(inner);
      write(item, inner, out);
    });
    out.push(`${nl}]`);
  } else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return void out.push('{}');
    out.push('{');
    entries.forEach(([k, x], i) => {
      if (i > 0) out.push(',');
      out.push(inner, JSON.stringify(k), ':');
      write(x, inner, out);
    });
    out.push(`${nl}}`);
  } else out.push(JSON.stringify(String(v)));
}
