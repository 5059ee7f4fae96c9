#!/usr/bin/env node
// Lint for the layer rule of ARCHITECTURE.md: main → app → api → pipeline/tasks →
// (source, stream, engine, catalog, observability, config) → core, errors. Lists file:line of each
// import that points the wrong way and exits 1. Usage: node scripts/check-imports.mjs [srcDir]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const srcDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));

// Higher may import lower; equal ranks only where `sameRankAllowed` says so.
const RANK = {
  main: 7,
  app: 6,
  cli: 6,
  api: 5,
  pipeline: 4,
  tasks: 4,
  source: 3,
  stream: 3,
  engine: 3,
  catalog: 3,
  observability: 3,
  config: 3,
  core: 1,
  errors: 1,
};

const WHY = {
  engine: 'engine/ knows nothing of MySQL, Kafka, HTTP or the catalog',
  sourceStream: 'source/ and stream/ never import each other',
  catalog: 'catalog/ imports only core/ and errors/',
  down: 'imports point one way: main → app → api → pipeline/tasks → source, stream, engine, catalog → core, errors',
  api: 'nothing imports api/ except app.ts, main.ts and cli/',
  outside: 'src/ must not import files outside src/',
  pipelinePkg: 'pipeline/ receives interfaces and never imports mysql2, kafkajs or fastify',
};

/** Why `from` may not import layer `to`, or null when it may. */
function layerViolation(from, to) {
  if (from === to) return null;
  if (to === 'api' && !['app', 'main', 'cli'].includes(from)) return WHY.api;
  if (from === 'engine' && ['source', 'stream', 'catalog'].includes(to)) return WHY.engine;
  if ((from === 'source' && to === 'stream') || (from === 'stream' && to === 'source')) return WHY.sourceStream;
  if (from === 'catalog' && !['core', 'errors'].includes(to)) return WHY.catalog;
  const rf = RANK[from];
  const rt = RANK[to];
  if (rf === undefined || rt === undefined) return null;
  if (rt > rf) return WHY.down;
  if (rt === rf && rf === RANK.app) return WHY.down; // app and cli are separate entry points
  return null;
}

const BANNED_PACKAGES = {
  pipeline: [/^mysql2(\/|$)/, /^kafkajs(\/|$)/, /^fastify(\/|$)/, /^@fastify\//],
};

/** Layer of a path relative to src/: its top folder, or the file's base name for top-level files. */
function layerOf(relPath) {
  const first = relPath.split(sep)[0] ?? '';
  return first.replace(/\.(m|c)?[tj]sx?$/, '');
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(m|c)?tsx?$/.test(name) && !name.endsWith('.d.ts')) yield full;
  }
}

/** Blanks out comments (keeping line breaks) so commented-out imports are not checked. */
function stripComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/^[ \t]*\/\/.*$/gm, (c) => ' '.repeat(c.length));
}

const IMPORT_RE =
  /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

const problems = [];
for (const file of sourceFiles(srcDir)) {
  const rel = relative(srcDir, file);
  const from = layerOf(rel);
  const text = stripComments(readFileSync(file, 'utf8'));
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec === undefined) continue;
    const line = text.slice(0, m.index + m[0].length).split('\n').length;
    const where = `${relative(process.cwd(), file)}:${line}`;
    if (spec.startsWith('.')) {
      const target = relative(srcDir, resolve(dirname(file), spec));
      if (target.startsWith('..')) {
        problems.push(`${where}: imports '${spec}' — ${WHY.outside}`);
        continue;
      }
      const to = layerOf(target);
      const why = layerViolation(from, to);
      if (why) problems.push(`${where}: ${from} imports ${to} ('${spec}') — ${why}`);
    } else {
      for (const banned of BANNED_PACKAGES[from] ?? []) {
        if (banned.test(spec)) problems.push(`${where}: ${from} imports package '${spec}' — ${WHY.pipelinePkg}`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} import(s) break the layer rule:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-imports: ok (${relative(process.cwd(), srcDir) || '.'})`);
