// The hand-written docs stay true to the code: relative links resolve, every error code and TIDESEARCH_*
// variable they name exists, and every request field of the admin schemas is documented in docs/api.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../../src/errors/codes.js';
import { CreateSchema, IncrSchema, ColumnSchema } from '../../../src/api/admin/requests.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OWN_DOCS = ['README.md', 'docs/api.md', 'docs/query.md', 'docs/analyzers.md', 'docs/DESIGN.md', 'docs/errors.md'];
const read = (p: string) => readFileSync(join(root, p), 'utf8');

test('relative links in the docs point at files that exist', () => {
  for (const doc of OWN_DOCS) {
    for (const m of read(doc).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(root, dirname(doc), target)), `${doc} links to missing ${target}`);
    }
  }
});

test('every error code named in the docs is in the catalog', () => {
  for (const doc of OWN_DOCS) {
    for (const m of read(doc).matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)) {
      const name = m[1]!;
      if (name.startsWith('TIDESEARCH_') || name === 'DEFAULT_WORD_FREQUENCY') continue;
      assert.ok(name in ERROR_CODES, `${doc} names unknown error code ${name}`);
    }
  }
});

test('every TIDESEARCH_* variable named in the docs is read by src/config/config.ts', () => {
  const config = read('src/config/config.ts');
  for (const doc of OWN_DOCS) {
    for (const m of read(doc).matchAll(/\bTIDESEARCH_[A-Z_]+\b/g)) {
      assert.ok(config.includes(`env.${m[0]}`), `${doc} names ${m[0]}, which config.ts does not read`);
    }
  }
});

test('docs/api.md documents every field of the create request', () => {
  const api = read('docs/api.md');
  const keys = (s: { shape: Record<string, unknown> }) => Object.keys(s.shape);
  for (const k of keys(CreateSchema)) assert.ok(api.includes(`| \`${k}`), `create field ${k} missing from the field table`);
  for (const k of keys(IncrSchema)) assert.ok(api.includes(`\`incr.${k}\``), `incr.${k} missing`);
  for (const k of keys(ColumnSchema)) assert.ok(api.includes(`\`columns[].${k}\``), `columns[].${k} missing`);
  for (const k of ['host', 'port', 'user', 'password', 'dbName', 'pdAddrs', 'tidbAddrs', 'plugin']) {
    assert.ok(api.includes(`\`datasource.${k}\``), `datasource.${k} missing`);
  }
});
