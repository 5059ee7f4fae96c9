// Finds the console's built files: dist/console when it is at least as new as web/, otherwise a build in
// memory with esbuild (a dev dependency), so `npm start` from a fresh clone works even without a build.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

export interface ConsoleFile {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

export type ConsoleAssets = ReadonlyMap<string, ConsoleFile>;

const TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** The directory holding package.json, found by walking up (works from src/ under tsx and from dist/). */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root (package.json + web/) above ${from}`);
    dir = parent;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function asAssets(files: Iterable<[string, string]>): ConsoleAssets {
  const map = new Map<string, ConsoleFile>();
  for (const [name, body] of files) {
    map.set(name, { body, contentType: TYPES[name] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
  }
  return map;
}

export interface LoadOptions {
  readonly root?: string;
  /** Built files; default <root>/dist/console. */
  readonly assetsDir?: string;
}

export async function loadConsoleAssets(opts: LoadOptions = {}): Promise<{ assets: ConsoleAssets; origin: 'prebuilt' | 'built-in-memory' }> {
  const root = opts.root ?? findRepoRoot();
  const assetsDir = opts.assetsDir ?? join(root, 'dist', 'console');
  const webDir = join(root, 'web');
  const names = Object.keys(TYPES);
  const prebuilt = names.every((n) => existsSync(join(assetsDir, n)));
  if (prebuilt) {
    const builtAt = Math.min(...names.map((n) => statSync(join(assetsDir, n)).mtimeMs));
    // A checkout whose web/ changed since the last build would otherwise serve a stale console.
    const stale = existsSync(webDir) && newestMtime(webDir) > builtAt && esbuildAvailable(root);
    if (!stale) return { assets: asAssets(names.map((n) => [n, readFileSync(join(assetsDir, n), 'utf8')])), origin: 'prebuilt' };
  }
  const script = join(root, 'scripts', 'build-console.mjs');
  const mod = (await import(pathToFileURL(script).href)) as { buildConsole(o?: { webDir?: string }): Promise<Map<string, string>> };
  return { assets: asAssets(await mod.buildConsole({ webDir })), origin: 'built-in-memory' };
}

function esbuildAvailable(root: string): boolean {
  return existsSync(join(root, 'node_modules', 'esbuild', 'package.json'));
}
