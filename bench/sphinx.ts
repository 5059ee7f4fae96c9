// The peer to beat: Sphinx 2.2 (Debian `sphinxsearch`) over the same MariaDB table. Writes a sphinx.conf
// in a temp dir, runs `indexer` under /usr/bin/time for its peak RSS, and starts `searchd` (SphinxQL).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.js';

export interface SphinxSource {
  readonly host: string;
  readonly port: number;
  readonly db: string;
  readonly table: string;
}

export interface Sphinx {
  readonly dir: string;
  readonly conf: string;
  readonly sqlPort: number;
  index(): Promise<{ seconds: number; peakRssMiB: number | null; indexMiB: number; output: string }>;
  startSearchd(): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export async function setUpSphinx(src: SphinxSource): Promise<Sphinx> {
  const dir = mkdtempSync(join(tmpdir(), 'tidesearch-sphinx-'));
  const sqlPort = await freePort();
  const conf = join(dir, 'sphinx.conf');
  // CJK as single characters (Sphinx does not segment words), as BENCHMARKS.md measured it.
  writeFileSync(
    conf,
    `source emp
{
  type = mysql
  sql_host = ${src.host}
  sql_port = ${src.port}
  sql_user = root
  sql_pass =
  sql_db = ${src.db}
  sql_query_pre = SET NAMES utf8mb4
  sql_query = SELECT emp_no, first_name, first_name AS first_name_attr, last_name, gender, gender AS gender_attr, UNIX_TIMESTAMP(hire_date) AS hire_date, \\
    salary, bio FROM \`${src.table}\`
  sql_attr_string = first_name_attr
  sql_attr_string = gender_attr
  sql_attr_timestamp = hire_date
  sql_attr_float = salary
  sql_field_string = gender
}

index emp
{
  source = emp
  path = ${dir}/emp
  docinfo = extern
  charset_table = 0..9, A..Z->a..z, _, a..z, U+C0..U+24F
  ngram_len = 1
  ngram_chars = U+2E80..U+2FDF, U+3040..U+30FF, U+3400..U+4DBF, U+4E00..U+9FFF, U+F900..U+FAFF, U+20000..U+2FA1F
}

indexer
{
  mem_limit = 256M
}

searchd
{
  listen = 127.0.0.1:${sqlPort}:mysql41
  log = ${dir}/searchd.log
  query_log = ${dir}/query.log
  pid_file = ${dir}/searchd.pid
  binlog_path =
  workers = threads
  max_matches = 20000
}
`,
  );
  let searchd: ChildProcess | undefined;
  return {
    dir,
    conf,
    sqlPort,
    async index() {
      const started = performance.now();
      const { code, output } = await run('/usr/bin/time', ['-v', 'indexer', '--config', conf, '--all']);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) throw new Error(`indexer failed (${code}):\n${output.slice(-3000)}`);
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(output);
      const indexBytes = readdirSync(dir)
        .filter((f) => f.startsWith('emp.'))
        .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      return { seconds, peakRssMiB: m ? Number(m[1]) / 1024 : null, indexMiB: indexBytes / 1048576, output };
    },
    async startSearchd() {
      const child = spawn('searchd', ['--config', conf, '--console'], { stdio: ['ignore', 'pipe', 'pipe'] });
      searchd = child;
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const deadline = Date.now() + 30_000;
      const mysql = (await import('mysql2/promise')).default;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`searchd exited: ${out}`);
        try {
          const c = await mysql.createConnection({ host: '127.0.0.1', port: sqlPort });
          await c.query('SELECT id FROM emp LIMIT 1');
          await c.end();
          return child;
        } catch {
          if (Date.now() > deadline) throw new Error(`searchd did not answer: ${out}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      if (searchd && searchd.exitCode === null && searchd.signalCode === null) {
        const exited = new Promise((r) => searchd!.once('exit', r));
        searchd.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (searchd.exitCode === null && searchd.signalCode === null) searchd.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function run(cmd: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
