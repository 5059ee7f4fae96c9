#!/usr/bin/env node
// Compiles the tsrank SQLite extension (native/tsrank.c) into native/build/tsrank.so against the SQLite headers
// better-sqlite3 builds with, so the extension matches the SQLite it is loaded into. Run by the `prepare` hook
// (npm ci, npm install) and `npm run build:native`; skipped when the library is newer than its source and headers.
// Needs a C compiler, which better-sqlite3's own build from source already needs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'tsrank.c');
const out = join(root, 'native', 'build', 'tsrank.so');
const headers = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
const inputs = [source, join(headers, 'sqlite3.h'), join(headers, 'sqlite3ext.h')];

const mtime = (f) => statSync(f).mtimeMs;
if (existsSync(out) && inputs.every((f) => mtime(f) <= mtime(out)) && !process.argv.includes('--force')) process.exit(0);

mkdirSync(dirname(out), { recursive: true });
const cc = process.env.CC ?? 'cc';
const args = ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', '-I', headers, source, '-o', out, '-lm'];
try {
  execFileSync(cc, args, { stdio: 'inherit' });
} catch (e) {
  console.error(`build-native: ${cc} ${args.join(' ')} failed: ${e.message}`);
  process.exit(1);
}
console.log(`build-native: ${out}`);
