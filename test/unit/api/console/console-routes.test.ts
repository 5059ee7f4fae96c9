// The console is served from dist/console when that build is current, and built in memory when it is
// missing (a fresh clone started without `npm run build`); either way `/` works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { consoleRoutes, loadConsoleAssets } from '../../../../src/api/console/index.js';

test('without built assets the console is built in memory, under 200 KB, and served at /', async () => {
  const missing = join(mkdtempSync(join(tmpdir(), 'tidesearch-console-')), 'none');
  const app = Fastify();
  await app.register(consoleRoutes, { assetsDir: missing });
  const page = await app.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /<script type="module" src="\/console\/app.js">/);
  const js = await app.inject({ method: 'GET', url: '/console/app.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /^text\/javascript/);
  assert.ok(js.body.includes('list_indexes'), 'the bundle is the console app');
  const css = await app.inject({ method: 'GET', url: '/console/app.css' });
  const total = page.body.length + js.body.length + css.body.length;
  assert.ok(total < 200 * 1024, `console is ${total} bytes`);

  const again = await app.inject({ method: 'GET', url: '/console/app.js', headers: { 'if-none-match': js.headers.etag as string } });
  assert.equal(again.statusCode, 304);
  assert.equal((await app.inject({ method: 'GET', url: '/console/nope.js' })).statusCode, 404);
  await app.close();
});

test('current prebuilt assets are served as they are', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-console-'));
  for (const [name, body] of [['index.html', '<p>prebuilt</p>'], ['app.js', 'export {}'], ['app.css', 'p{}']] as const) {
    writeFileSync(join(dir, name), body);
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(join(dir, name), future, future); // newer than every file in web/
  }
  const { assets, origin } = await loadConsoleAssets({ assetsDir: dir });
  assert.equal(origin, 'prebuilt');
  assert.equal(assets.get('index.html')?.body, '<p>prebuilt</p>');
});

test('prebuilt assets older than web/ are rebuilt rather than served stale', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-console-'));
  for (const name of ['index.html', 'app.js', 'app.css']) {
    writeFileSync(join(dir, name), 'old');
    utimesSync(join(dir, name), new Date(0), new Date(0));
  }
  const { assets, origin } = await loadConsoleAssets({ assetsDir: dir });
  assert.equal(origin, 'built-in-memory');
  assert.notEqual(assets.get('app.js')?.body, 'old');
});
