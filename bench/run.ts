// `npm run bench`: the three system benchmarks one after another (never at once: they would measure each
// other), each in its own process; extra arguments go to all of them (e.g. `-- --rows 100000`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
let failed = 0;
for (const bench of ['build.bench.ts', 'query.bench.ts', 'incr.bench.ts']) {
  // incr takes --events, not --rows; its table stays small.
  const own = bench === 'incr.bench.ts' ? args.filter((a, i) => a !== '--rows' && args[i - 1] !== '--rows' && !a.startsWith('--rows=')) : args;
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}${bench}`, ...own], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${bench} exited with ${r.status ?? r.signal}`);
  }
  console.log('');
}
process.exit(failed ? 1 : 0);
