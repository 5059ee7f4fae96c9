// Proves `npm run lint` (scripts/check-imports.mjs) rejects imports against the layer rule and accepts the rest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../support/repo-root.js';

const SCRIPT = join(repoRoot, 'scripts', 'check-imports.mjs');
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function lint(files: Readonly<Record<string, string>>): { code: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'check-imports-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'src', path)), { recursive: true });
    writeFileSync(join(root, 'src', path), text);
  }
  const res = spawnSync(process.execPath, [SCRIPT, 'src'], { cwd: root, encoding: 'utf8' });
  return { code: res.status, out: res.stdout + res.stderr };
}

describe('check-imports', () => {
  it('accepts imports that point down the layers', () => {
    const { code, out } = lint({
      'main.ts': "import { buildApp } from './app.js';\nimport { runCli } from './cli/cli.js';\n",
      'app.ts': "import { routes } from './api/routes.js';\nimport { MySqlSource } from './source/mysql/index.js';\n",
      'api/routes.ts': "import fastify from 'fastify';\nimport { fullBuild } from '../pipeline/full-build.js';\n",
      'pipeline/full-build.ts':
        "import type { Source } from '../source/source.js';\nimport { Writer } from '../engine/store/writer.js';\nimport { Catalog } from '../catalog/catalog.js';\n",
      'engine/store/writer.ts': "import Database from 'better-sqlite3';\nimport { TidesearchError } from '../../errors/index.js';\n",
      'catalog/catalog.ts': "import type { IndexSpec } from '../core/schema.js';\n",
      'core/schema.ts': "import { TidesearchError } from '../errors/index.js';\n",
      'errors/index.ts': "export * from './codes.js';\n",
    });
    assert.equal(code, 0, out);
    assert.match(out, /ok/);
  });

  it('lists each import that breaks the rule with file:line and exits 1', () => {
    const { code, out } = lint({
      'engine/searcher.ts': "// import '../source/x.js' is only a comment\nimport { x } from '../source/source.js';\n",
      'source/mysql/scan.ts': "import type {\n  Msg,\n} from '../../stream/change-stream.js';\n",
      'stream/kafka.ts': "const p = await import('../pipeline/channel.js');\n",
      'catalog/db.ts': "export { Writer } from '../engine/store/writer.js';\n",
      'core/value.ts': "import { log } from '../observability/logger.js';\n",
      'pipeline/channel.ts': "import { Kafka } from 'kafkajs';\nimport mysql from 'mysql2/promise';\nimport { r } from '../api/routes.js';\n",
      'tasks/runner.ts': "import { app } from '../app.js';\n",
    });
    assert.equal(code, 1, out);
    const lines = out.split('\n').filter((l) => /^\s+src\//.test(l)).map((l) => l.trim().split(' ')[0]);
    assert.deepEqual(lines.sort(), [
      'src/catalog/db.ts:1:',
      'src/core/value.ts:1:',
      'src/engine/searcher.ts:2:',
      'src/pipeline/channel.ts:1:',
      'src/pipeline/channel.ts:2:',
      'src/pipeline/channel.ts:3:',
      'src/source/mysql/scan.ts:3:',
      'src/stream/kafka.ts:1:',
      'src/tasks/runner.ts:1:',
    ]);
    assert.match(out, /source\/ and stream\/ never import each other/);
    assert.match(out, /never imports mysql2, kafkajs or fastify/);
  });
});
