// Reads an admin request body: JSON, or JSON5 (so the document's relaxed examples paste as they are).
// `#` comments are not JSON5: they get a parse error that says so.
import JSON5 from 'json5';
import { TidesearchError } from '../../errors/index.js';

export function parseAdminBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    // fall through to JSON5
  }
  try {
    // The document's own examples use a full-width comma between fields.
    return JSON5.parse(text.replaceAll('，', ','));
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^JSON5: /, '') : String(e);
    const hint = why.includes("'#'") ? '; `#` comments are not allowed (use // or /* */ in JSON5, or plain JSON)' : '';
    throw new TidesearchError('BAD_REQUEST', `request body is neither JSON nor JSON5: ${why}${hint}`, { field: 'body' });
  }
}
