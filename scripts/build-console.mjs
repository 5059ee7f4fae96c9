// Builds the web console (web/) into dist/console: one minified ES module (Preact + htm + app), one CSS
// file and index.html. Run by `npm run build` and the `prepare` hook; the server can also call
// buildConsole() in memory when dist/console is missing or older than web/.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {Promise<Map<string, string>>} file name → contents */
export async function buildConsole({ webDir = join(root, 'web') } = {}) {
  const esbuild = await import('esbuild');
  const js = await esbuild.build({
    entryPoints: [join(webDir, 'src', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const css = await esbuild.transform(await readFile(join(webDir, 'style.css'), 'utf8'), { loader: 'css', minify: true });
  return new Map([
    ['index.html', await readFile(join(webDir, 'index.html'), 'utf8')],
    ['app.js', js.outputFiles[0].text],
    ['app.css', css.code],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = join(root, 'dist', 'console');
  let files;
  try {
    files = await buildConsole();
  } catch (err) {
    // As a `prepare` hook under `npm ci --omit=dev` esbuild is absent: do not fail the install for it.
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('esbuild')) {
      console.warn('esbuild is not installed: console not built; ship dist/console from a full install (npm run build).');
      process.exit(0);
    }
    throw err;
  }
  await mkdir(outDir, { recursive: true });
  let total = 0;
  for (const [name, text] of files) {
    await writeFile(join(outDir, name), text);
    total += Buffer.byteLength(text);
  }
  console.log(`console built into ${outDir}: ${[...files].map(([n, t]) => `${n} ${(Buffer.byteLength(t) / 1024).toFixed(1)} KiB`).join(', ')}; total ${(total / 1024).toFixed(1)} KiB`);
}
