// docs/errors.md is exactly what scripts/gen-errors-doc.ts makes of src/errors/codes.ts, and it lists every code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../../src/errors/codes.js';
import { ERRORS_DOC_PATH, renderErrorsDoc } from '../../../scripts/gen-errors-doc.js';

test('docs/errors.md is up to date with the error catalog (regenerate with scripts/gen-errors-doc.ts)', () => {
  assert.equal(readFileSync(ERRORS_DOC_PATH, 'utf8'), renderErrorsDoc());
});

test('every catalog code appears in docs/errors.md with its status and description', () => {
  const doc = readFileSync(ERRORS_DOC_PATH, 'utf8');
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `no row for ${code}`);
    assert.ok(row.includes(`| ${info.status} |`), `${code}: status ${info.status} missing`);
    assert.ok(row.includes(info.description.replaceAll('|', '\\|')), `${code}: description missing`);
  }
});

test('the generator reflects a changed catalog (so a stale doc is detected)', () => {
  const changed = renderErrorsDoc({ ...ERROR_CODES, NEW_CODE: { status: 418, retriable: true, description: 'a new code' } });
  assert.notEqual(changed, renderErrorsDoc());
  assert.match(changed, /\| `NEW_CODE` \| 418 \| yes \| a new code \|/);
});
