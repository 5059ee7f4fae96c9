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

/** The TiCDC sample messages in the design material: `../shared/` beside the checkout (as CI lays it out). */
export const ticdcSamplesDir: string = resolve(repoRoot, '../shared/data/ticdc-samples');
