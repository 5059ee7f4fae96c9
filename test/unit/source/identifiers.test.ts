import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { quoteIdentifier, quoteTableName } from '../../../src/source/identifiers.js';

test('quoteIdentifier doubles backticks and leaves other characters alone', () => {
  assert.equal(quoteIdentifier('plain'), '`plain`');
  assert.equal(quoteIdentifier('a`b'), '`a``b`');
  assert.equal(quoteIdentifier("x`; DROP TABLE t; -- '\""), "`x``; DROP TABLE t; -- '\"`");
  assert.equal(quoteTableName('d`b', 't'), '`d``b`.`t`');
});

test('quoteIdentifier refuses names MySQL cannot have', () => {
  assert.throws(() => quoteIdentifier(''), /empty/);
  assert.throws(() => quoteIdentifier('a\0b'), /NUL/);
  assert.throws(() => quoteIdentifier('x'.repeat(65)), /longer than 64/);
});

test('a quoted identifier always reads back as exactly one identifier', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 64 }).filter((s) => !s.includes('\0')), (name) => {
      const q = quoteIdentifier(name);
      // Scan as the server does: inside backticks, `` is one backtick; a lone ` ends the identifier.
      let i = 1;
      let out = '';
      while (i < q.length) {
        if (q[i] === '`' && q[i + 1] === '`') {
          out += '`';
          i += 2;
        } else if (q[i] === '`') break;
        else out += q[i++];
      }
      assert.equal(i, q.length - 1, 'identifier ends at the last character');
      assert.equal(out, name);
    }),
  );
});
