// Throwaway MariaDB server for tests and benchmarks: one mariadbd per call, random port, temp datadir,
// binlog on (ROW), killed with its datadir on stop() or when the test process dies.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './free-port.js';
import { armReaper } from './reaper.js';
import { cacheDir } from './repo-root.js';

export interface MariaDbOptions {
  /** Created (if missing) and used as the pool's default database. */
  readonly database?: string;
  /** Extra mariadbd arguments, e.g. `['--innodb-buffer-pool-size=1G']` for benchmarks. */
  readonly serverArgs?: readonly string[];
  /** Pool size; default 4. */
  readonly connectionLimit?: number;
  /** Give up waiting for "ready for connections" after this long; default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface MariaDb extends AsyncDisposable {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'root';
  readonly password: '';
  readonly datadir: string;
  readonly pid: number;
  /** Pool with multipleStatements on; ended by stop(). */
  readonly pool: mysql.Pool;
  /** Runs one statement with `?` parameters and returns its rows (or the OkPacket for writes). */
  query<T = mysql.RowDataPacket[]>(sql: string, params?: readonly unknown[]): Promise<T>;
  /** Runs one or more `;`-separated statements, ignoring results. */
  exec(sql: string): Promise<void>;
  /** Ends the pool, kills exactly this mariadbd and removes its datadir. Idempotent. */
  stop(): Promise<void>;
}

// Small redo log: install and copy are cheaper; the same size must be passed to every start.
const INNODB_ARGS = ['--innodb-log-file-size=16M', '--innodb-buffer-pool-size=128M'];

export async function startMariaDb(opts: MariaDbOptions = {}): Promise<MariaDb> {
  const template = ensureTemplate();
  const root = mkdtempSync(join(tmpdir(), 'tidesearch-mariadb-'));
  const datadir = join(root, 'data');
  cpSync(template, datadir, { recursive: true });

  let lastError: Error | undefined;
  // The free port is released before mariadbd binds it; another process may win that race.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(root, datadir, port, opts);
    } catch (err) {
      lastError = err as Error;
      if (!/already in use|Can't start server/i.test(lastError.message)) break;
    }
  }
  rmSync(root, { recursive: true, force: true });
  throw lastError ?? new Error('mariadbd did not start');
}

async function launch(root: string, datadir: string, port: number, opts: MariaDbOptions): Promise<MariaDb> {
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--user=root',
    '--bind-address=127.0.0.1',
    `--port=${port}`,
    `--socket=${join(root, 's.sock')}`,
    `--pid-file=${join(root, 'mariadbd.pid')}`,
    '--skip-name-resolve',
    `--log-bin=${join(root, 'data', 'binlog')}`,
    '--binlog-format=ROW',
    '--server-id=1',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-allowed-packet=256M',
    '--local-infile=1',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    ...INNODB_ARGS,
    ...(opts.serverArgs ?? []),
  ];
  const child = spawn('mariadbd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn mariadbd (is mariadb-server installed?)');
  const reaper = armReaper(pid, root);

  let log = '';
  child.stderr.setEncoding('utf8');
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`mariadbd not ready after ${opts.startTimeoutMs ?? 30000} ms:\n${log}`)),
      opts.startTimeoutMs ?? 30000,
    );
    child.stderr.on('data', (chunk: string) => {
      log = (log + chunk).slice(-8000);
      if (log.includes('ready for connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mariadbd exited (${code ?? signal}) before accepting connections:\n${log}`));
    });
  });
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    reaper.disarm();
    throw err;
  }

  // After start-up the log is no longer interesting, but the pipe must keep draining.
  child.stderr.resume();

  if (opts.database !== undefined) {
    const admin = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '' });
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${opts.database.replaceAll('`', '``')}\``);
    await admin.end();
  }
  const pool = mysql.createPool({
    host: '127.0.0.1',
    port,
    user: 'root',
    password: '',
    multipleStatements: true,
    connectionLimit: opts.connectionLimit ?? 4,
    ...(opts.database !== undefined ? { database: opts.database } : {}),
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await pool.end().catch(() => {});
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      // Throwaway data: no need for a clean InnoDB shutdown.
      child.kill('SIGKILL');
      await exited;
      reaper.disarm();
      rmSync(root, { recursive: true, force: true });
    })();
    return stopped;
  };

  return {
    host: '127.0.0.1',
    port,
    user: 'root',
    password: '',
    datadir,
    pid,
    pool,
    async query<T = mysql.RowDataPacket[]>(sql: string, params?: readonly unknown[]): Promise<T> {
      const [rows] = await pool.query(sql, params as unknown[] | undefined);
      return rows as T;
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * mariadb-install-db takes ~2 s; a datadir copied from a cached template takes ~30 ms.
 * Built once per MariaDB version into .cache/, atomically (tests run in parallel processes).
 */
function ensureTemplate(): string {
  const version = execFileSync('mariadbd', ['--version'], { encoding: 'utf8' }).match(/Ver\s+(\S+)/)?.[1] ?? 'unknown';
  const template = join(cacheDir(), `mariadb-template-${version}`);
  if (existsSync(join(template, 'mysql'))) return template;

  const staging = mkdtempSync(join(cacheDir(), 'mariadb-template-staging-'));
  // Each bootstrap gets its own tmpdir: two test processes bootstrapping at once in the shared /tmp collide
  // on the server's temporary table names (seen: "Unknown table 'mysql.tmp_user_sys'").
  const tmp = mkdtempSync(join(tmpdir(), 'tidesearch-install-db-'));
  try {
    execFileSync(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${staging}`,
        `--tmpdir=${tmp}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        ...INNODB_ARGS,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      renameSync(staging, template);
    } catch {
      // Another process finished first; its template is as good as ours.
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
  return template;
}
