// Locates the repository root and its git-ignored .cache/ directory, where fixtures keep build products.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function cacheDir(): string {
  const dir = resolve(repoRoot, '.cache');
  mkdirSync(dir, { recursive: true });
  return dir;
}
