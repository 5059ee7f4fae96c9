// Proves the shared test fixtures work: MariaDB, the Kafka mock broker, etcd (with TiDB topology keys),
// and the seeded employees data generator.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import {
  createEmployeeGenerator,
  createEmployeesTable,
  employeeRow,
  employeeRows,
  employeeVocabulary,
  registerTidb,
  startEtcd,
  startKafka,
  startMariaDb,
} from '../../support/index.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child whose parent died may linger as a zombie until reaped; it no longer runs.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('startMariaDb', () => {
  it('starts a binlogged server that answers queries and leaves nothing behind on stop', async (t) => {
    const started = Date.now();
    const db = await startMariaDb({ database: 'shop' });
    const startMs = Date.now() - started;
    try {
      assert.equal(db.host, '127.0.0.1');
      assert.ok(db.port > 0);
      const [vars] = await db.query<RowDataPacket[]>('SELECT @@log_bin AS logBin, @@binlog_format AS fmt, DATABASE() AS db');
      assert.deepEqual({ ...vars }, { logBin: 1, fmt: 'ROW', db: 'shop' });
      await db.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO t VALUES (1, 'a'), (2, '中文🙂')");
      const rows = await db.query<RowDataPacket[]>('SELECT name FROM t WHERE id = ?', [2]);
      assert.equal(rows[0]?.['name'], '中文🙂');
    } finally {
      await db.stop();
    }
    assert.equal(isAlive(db.pid), false, 'mariadbd still running after stop()');
    assert.equal(existsSync(db.datadir), false, 'datadir still there after stop()');
    t.diagnostic(`mariadb start ${startMs} ms`);
  });

  it('is killed with its datadir when the test process is killed', async () => {
    const script = `
      import { startMariaDb } from ${JSON.stringify(fileURLToPath(new URL('../../support/mariadb.ts', import.meta.url)))};
      const db = await startMariaDb();
      console.log(JSON.stringify({ pid: db.pid, datadir: db.datadir }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`helper exited early (${code})`)));
    });
    const { pid, datadir } = JSON.parse(line) as { pid: number; datadir: string };
    assert.equal(isAlive(pid), true);
    child.kill('SIGKILL');
    assert.ok(await eventually(() => !isAlive(pid), 5000), 'mariadbd survived its test process');
    assert.ok(await eventually(() => !existsSync(datadir), 5000), 'datadir survived its test process');
  });
});

describe('startKafka', () => {
  it('carries produced messages to a kafkajs consumer group on an 8-partition topic', async (t) => {
    await using kafka = await startKafka();
    await kafka.createTopic('orders', 8);
    await assert.rejects(kafka.createTopic('orders', 8), /already exists/i);

    const sent = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 8 }));
    await kafka.produce('orders', [...sent, { key: 'gone', value: null, partition: 3 }]);

    const consumer = kafka.client().consumer({ groupId: 'fixture-test', maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      const got = new Map<string, { value: string | null; partition: number }>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${got.size} of 41 messages arrived`)), 20000);
        void consumer.run({
          eachMessage: async ({ message, partition }) => {
            got.set(message.key?.toString() ?? '', { value: message.value?.toString() ?? null, partition });
            if (got.size === 41) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      for (const m of sent) assert.deepEqual(got.get(m.key), { value: m.value, partition: m.partition });
      assert.deepEqual(got.get('gone'), { value: null, partition: 3 });

      // With a short wait the mock answers quickly: a late message shows up well under a second.
      const before = Date.now();
      await kafka.produce('orders', [{ key: 'late', value: 'x' }]);
      assert.ok(await eventually(() => got.has('late'), 5000), 'late message never arrived');
      t.diagnostic(`kafka produce→consume ${Date.now() - before} ms`);
    } finally {
      await consumer.disconnect();
    }
    await kafka.stop();
    assert.equal(isAlive(kafka.pid), false);
  });
});

describe('startEtcd', () => {
  it('stores keys by prefix and drops leased keys when the lease expires or is revoked', async () => {
    await using etcd = await startEtcd();
    assert.match(etcd.endpoint, /^127\.0\.0\.1:\d+$/);
    await etcd.put('/app/a', '1');
    await etcd.put('/app/b', '二');
    await etcd.put('/apq', 'not in prefix');
    assert.deepEqual(
      (await etcd.get('/app/')).map((kv) => [kv.key, kv.value]),
      [
        ['/app/a', '1'],
        ['/app/b', '二'],
      ],
    );

    const lease = await etcd.grantLease(1);
    await etcd.put('/leased/k', 'v', { leaseId: lease });
    assert.equal((await etcd.get('/leased/'))[0]?.leaseId, lease);
    assert.ok(await eventually(async () => (await etcd.get('/leased/')).length === 0, 6000), 'leased key outlived its lease');

    const alive = await registerTidb(etcd, { ip: '10.0.0.1', port: 4000, statusPort: 10080, version: 'v7.5.1', alive: true });
    await registerTidb(etcd, { ip: '10.0.0.2', port: 4000, statusPort: 10080, alive: false });
    const keys = (await etcd.get('/topology/tidb/')).map((kv) => kv.key);
    assert.deepEqual(keys, [
      '/topology/tidb/10.0.0.1:4000/info',
      '/topology/tidb/10.0.0.1:4000/ttl',
      '/topology/tidb/10.0.0.2:4000/info',
    ]);
    const info = JSON.parse((await etcd.get('/topology/tidb/10.0.0.1:4000/info'))[0]!.value) as Record<string, unknown>;
    assert.equal(info['version'], 'v7.5.1');
    assert.equal(info['ip'], '10.0.0.1');
    assert.equal(info['status_port'], 10080);
    assert.equal(typeof info['git_hash'], 'string');
    const ttl = (await etcd.get('/topology/tidb/10.0.0.1:4000/ttl'))[0]!;
    assert.match(ttl.value, /^\d{19}$/, 'ttl holds Unix nanoseconds');
    assert.notEqual(ttl.leaseId, '0');

    await alive.kill();
    assert.deepEqual(
      (await etcd.get('/topology/tidb/10.0.0.1:4000/')).map((kv) => kv.key),
      ['/topology/tidb/10.0.0.1:4000/info'],
    );
    await etcd.stop();
    assert.equal(isAlive(etcd.pid), false);
  });
});

describe('employees data generator', () => {
  it('is deterministic: every generator and every table size sees the same rows', async () => {
    const fresh = createEmployeeGenerator();
    for (const i of [0, 1, 2, 999, 12345, 999_999]) assert.deepEqual(fresh.row(i), employeeRow(i));
    assert.deepEqual(employeeRows(500, 3), [employeeRow(500), employeeRow(501), employeeRow(502)]);
    assert.equal(employeeRow(0).emp_no, 10001);
    assert.notDeepEqual(employeeRow(1), employeeRow(2));

    await using db = await startMariaDb();
    const big = await createEmployeesTable(db.pool, { table: 'big', rows: 3000 });
    await createEmployeesTable(db.pool, { table: 'small', rows: 1000 });
    assert.equal(big.rows, 3000);
    const [diff] = await db.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM employees.small s JOIN employees.big b USING (emp_no) ' +
        'WHERE NOT (s.first_name <=> b.first_name AND s.last_name <=> b.last_name AND s.bio <=> b.bio ' +
        'AND s.salary <=> b.salary AND s.birth_date <=> b.birth_date AND s.hire_date <=> b.hire_date AND s.gender <=> b.gender)',
    );
    assert.equal(diff?.['n'], 0);
    const [counts] = await db.query<RowDataPacket[]>(
      'SELECT (SELECT COUNT(*) FROM employees.small) AS small, (SELECT COUNT(*) FROM employees.big) AS big',
    );
    assert.deepEqual({ ...counts }, { small: 1000, big: 3000 });

    // What the database holds is exactly what employeeRow says, including NULLs and emoji.
    const stored = await db.query<RowDataPacket[]>(
      "SELECT emp_no, DATE_FORMAT(birth_date, '%Y-%m-%d') AS birth_date, first_name, last_name, gender, " +
        "DATE_FORMAT(hire_date, '%Y-%m-%d') AS hire_date, salary, bio FROM employees.big ORDER BY emp_no LIMIT 300",
    );
    stored.forEach((row, i) => assert.deepEqual({ ...row }, { ...employeeRow(i) }));
  });

  it('writes bios of mixed Chinese (by corpus frequency), Zipf English and rare codes, ~1 in 13 NULL', () => {
    const rows = employeeRows(0, 6000);
    const bios = rows.map((r) => r.bio).filter((b): b is string => b !== null);
    const nullShare = 1 - bios.length / rows.length;
    assert.ok(nullShare > 0.06 && nullShare < 0.095, `NULL share ${nullShare}`);
    const avgBytes = bios.reduce((s, b) => s + Buffer.byteLength(b), 0) / bios.length;
    assert.ok(avgBytes > 190 && avgBytes < 220, `average bio ${avgBytes} bytes`);

    const share = (re: RegExp): number => bios.filter((b) => re.test(b)).length / bios.length;
    assert.ok(share(/[\u4e00-\u9fff]{4}/) > 0.95, 'most bios hold Chinese text');
    assert.ok(share(/[，。]/) > 0.9, 'Chinese punctuation');
    assert.ok(share(/\b[a-z]{2,}\b/) > 0.5, 'English words in many bios');
    const codeShare = share(/\b[A-Z]{2}-\d{4}\b/);
    assert.ok(codeShare > 0.1 && codeShare < 0.8, `rare codes in ${codeShare}`);

    // Frequent dictionary words are frequent in the text; a rank-5000 word is rare.
    const { chineseWords, englishWords } = employeeVocabulary();
    assert.ok(chineseWords.length > 300_000);
    const text = bios.join('\n');
    const count = (w: string): number => text.split(w).length - 1;
    assert.ok(count(chineseWords[0]!) > 200, `top word ${chineseWords[0]} x${count(chineseWords[0]!)}`);
    assert.ok(count(chineseWords[0]!) > 20 * Math.max(1, count(chineseWords[5000]!)));
    assert.ok(count(` ${englishWords[0]} `) > count(` ${englishWords[50]} `));
    const codes = new Set(text.match(/\b[A-Z]{2}-\d{4}\b/g) ?? []);
    assert.ok(codes.size > 0.9 * (text.match(/\b[A-Z]{2}-\d{4}\b/g) ?? []).length, 'codes are mostly unique');

    // Names exercise analyzers: Chinese characters, accents and emoji all occur.
    const names = rows.map((r) => `${r.first_name} ${r.last_name}`);
    assert.ok(names.some((n) => /[\u4e00-\u9fff]/.test(n)), 'Chinese names');
    assert.ok(names.some((n) => /[À-ž]/.test(n)), 'accented names');
    assert.ok(names.some((n) => /\p{Extended_Pictographic}/u.test(n)), 'emoji names');
    for (const r of rows) {
      assert.ok([...r.first_name].length <= 14 && [...r.last_name].length <= 16, `name too long: ${r.first_name} ${r.last_name}`);
      assert.ok(r.salary === null || /^\d{5,6}\.\d{2}$/.test(r.salary));
    }
  });
});
