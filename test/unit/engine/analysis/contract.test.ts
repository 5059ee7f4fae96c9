// Every analyzer keeps the token contract on every test sentence: what FTS5's `ascii` tokenizer stores is
// exactly the token list the analyzer produced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TOKEN_NAMES } from '../../../../src/core/schema.js';
import { createAnalyzers } from '../../../../src/engine/analysis/index.js';
import { sentences } from './corpus.js';

const registry = createAnalyzers();
const BAD = /[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]/;

test('the corpus has a few hundred sentences', () => {
  assert.ok(sentences().length >= 200, `only ${sentences().length} sentences`);
});

for (const name of TOKEN_NAMES.filter((n) => n !== 'string')) {
  test(`${name}: tokens are non-empty, lower-case, free of ASCII space and punctuation`, () => {
    for (const s of sentences()) {
      for (const mode of ['index', 'query'] as const) {
        const tokens = registry.get(name).analyze(s, mode);
        for (const t of tokens) {
          assert.ok(t.length > 0, `${name} ${mode} empty token for ${s}`);
          assert.ok(!BAD.test(t), `${name} ${mode} token ${JSON.stringify(t)} of ${s}`);
          // Joining with spaces and splitting as FTS5's ascii tokenizer does gives the same tokens back.
          assert.equal(t.split(BAD).length, 1);
          assert.ok(!/[A-Z]/.test(t), `${name} ${mode} token ${JSON.stringify(t)} has upper-case ASCII`);
        }
        if (/[\p{L}\p{N}]/u.test(s) && mode === 'index') assert.ok(tokens.length > 0, `${name} produced nothing for ${s}`);
      }
    }
  });
}

test('string: the whole value, unchanged, in both modes', () => {
  const a = registry.get('string');
  for (const s of sentences()) {
    assert.deepEqual(a.analyze(s, 'index'), [s]);
    assert.deepEqual(a.analyze(s, 'query'), [s]);
  }
});

test('every analyzer reports its own name', () => {
  for (const name of TOKEN_NAMES) assert.equal(registry.get(name).name, name);
});
