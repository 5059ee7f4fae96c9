// Incremental benchmark (issue 4, BENCHMARKS.md): canal-json change messages for the employees table (1M rows,
// as BENCHMARKS.md's realistic data) on a Kafka-protocol mock broker (24 partitions). (a) raw kafkajs consume rate of the messages, (b) our apply
// rate through a channel created with do_create, (c) produce → visible-in-select latency at a steady rate,
// (d) search latency while the channel writes a backlog, and the server's peak RSS. Prints tables only.
// Run: npm run bench:incr -- [--events 100000] [--rate 2000] [--seconds 20] [--rows 1000000] [--partitions 24]
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { TableSchema } from '../src/core/schema.js';
import { tsoFromMillis, type Tso } from '../src/core/tso.js';
import { valueFromText, type RowImage } from '../src/core/value.js';
import { encodeCanalJson } from '../src/stream/decoders/index.js';
import { createMySqlSource } from '../src/source/mysql/index.js';
import { startMariaDb, startKafka, createEmployeesTable, createEmployeeGenerator, FIRST_EMP_NO, type EmployeeRow } from '../test/support/index.js';
import { fmt, loadNow, ms, parseFlags, peakRssMiB, percentile, printMachine, printTable, sleep } from './common.js';
import { cpuPerEvent, createBody, startTidesearch, threadCpu } from './tidesearch.js';

const flags = parseFlags();
// The table the changes land in. Its size is what the writer pays for: each update reads and rewrites random
// pages of the docs table and its indexes, and the top-K bookkeeping has lists only on a table large enough
// for terms in 50k documents. 1M rows (BENCHMARKS.md); --rows 2000 gives the small-table figure.
const ROWS = flags.num('rows', 1_000_000);
const WANT_EVENTS = flags.num('events', 100_000);
const RATE = flags.num('rate', 2000);
const SECONDS = flags.num('seconds', 20);
// Partitions of the topic. The mock keeps ~5 MiB per partition: 24 hold a backlog of ~62k events of ~1 KB, enough
// for the catch-up's transactions of 20k to be timed past the first (8 hold ~21k: one or two transactions). Raw
// kafkajs itself is slower with more partitions (8: 181-200k events/s here, 24: 122-155k; its batches are
// smaller), so ratios to (a) compare only at the same count; the output prints it.
const PARTITIONS = flags.num('partitions', 24);
const TOPIC = 'tidb_employees';
const PROBE_KEYS = 100; // keys 0..99 carry latency probes; background traffic never touches them
printMachine(`bench:incr, ${fmt(WANT_EVENTS)} events into a ${fmt(ROWS)}-row table, ${fmt(RATE)}/s for ${SECONDS} s`);

const db = await startMariaDb({ database: 'employees' });
const kafka = await startKafka({ topics: { [TOPIC]: PARTITIONS } });
const gen = createEmployeeGenerator();
let srv: Awaited<ReturnType<typeof startTidesearch>> | undefined;
try {
  await createEmployeesTable(db.pool, { rows: ROWS });
  const schema = await describe();

  // Commit timestamps start in the future so that every event is newer than the build's snapshot and is
  // applied, not skipped as already seen; they only grow, so later probes are never stale either.
  let ts: Tso = tsoFromMillis(Date.now() + 10 * 60_000);
  const nextTs = () => (ts += 1n);
  const image = (r: EmployeeRow): RowImage =>
    Object.fromEntries(schema.columns.map((c) => [c.name, valueFromText(c.kind, (r as unknown as Record<string, string | number | null>)[c.name] === null ? null : String((r as unknown as Record<string, unknown>)[c.name]))]));
  const partitionOf = (key: number) => (Math.imul(key, 0x9e3779b1) >>> 0) % PARTITIONS;
  const row = (i: number, patch: Partial<EmployeeRow> = {}): EmployeeRow => ({ ...gen.row(i), emp_no: FIRST_EMP_NO + i, ...patch });
  const base = { kind: 'row' as const, db: 'employees', table: 'employess' };

  /** Event i of the mixed stream: insert a new key, update an existing one twice, delete the inserted key. */
  function event(i: number): { value: string; partition: number } {
    const fresh = ROWS + 1000 + 4 * Math.floor(i / 4);
    const existing = PROBE_KEYS + ((i * 7919) % (ROWS - PROBE_KEYS));
    let e: Parameters<typeof encodeCanalJson>[0];
    let key: number;
    switch (i % 4) {
      case 0:
        key = FIRST_EMP_NO + fresh;
        e = { ...base, op: 'insert', commitTs: nextTs(), before: null, after: image(row(fresh)) };
        break;
      case 3:
        key = FIRST_EMP_NO + fresh;
        e = { ...base, op: 'delete', commitTs: nextTs(), before: image(row(fresh)), after: null };
        break;
      default: {
        key = FIRST_EMP_NO + existing;
        const before = row(existing);
        e = { ...base, op: 'update', commitTs: nextTs(), before: image(before), after: image({ ...before, bio: gen.row(existing + i + 1).bio, salary: `${(i % 90000) + 10000}.50` }) };
      }
    }
    return { value: encodeCanalJson(e, schema), partition: partitionOf(key) };
  }

  // The mock keeps ~5 MiB per partition: cap the backlog so nothing is dropped before it is read.
  const sample = Array.from({ length: 400 }, (_, i) => Buffer.byteLength(event(i).value));
  ts = tsoFromMillis(Date.now() + 10 * 60_000);
  const avg = sample.reduce((a, b) => a + b, 0) / sample.length;
  const cap = Math.floor((0.5 * PARTITIONS * 5 * 1048576) / avg);
  const M = Math.min(WANT_EVENTS, cap);
  console.log(`messages ≈ ${fmt(avg)} bytes; ${fmt(M)} events${M < WANT_EVENTS ? ` (capped from ${fmt(WANT_EVENTS)} by the mock's ~5 MiB per partition)` : ''}`);

  const t0 = performance.now();
  const messages = Array.from({ length: M }, (_, i) => event(i));
  const encodeS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  for (let i = 0; i < M; i += 1000) await kafka.produce(TOPIC, messages.slice(i, i + 1000));
  const produceS = (performance.now() - t1) / 1000;
  console.log(`encoded in ${encodeS.toFixed(1)} s (${fmt(M / encodeS)}/s), produced in ${produceS.toFixed(1)} s (${fmt(M / produceS)}/s)  [load ${loadNow()}]`);

  // (a) raw kafkajs consume of the same messages.
  const raw = await rawConsume(M);
  console.log(`(a) raw kafkajs consume: ${fmt(raw.perSec)} events/s (${fmt(raw.parsedPerSec)}/s with JSON.parse); ${raw.cpuUs.toFixed(1)} µs of CPU per event (connecting included)  [load ${loadNow()}]`);

  // (b) our apply rate: the backlog is already there when the channel starts.
  srv = await startTidesearch();
  const created = await srv.admin(
    'do_create',
    createBody(db, 'emp', { incr: { plugin: 'TiCDC-Kafka', mqAddress: kafka.brokers, topic: TOPIC, groupId: 'tidesearch-bench', offsetResetStrategy: 'earliest', protocol: 'canal-json', maxWaitMs: 100 } }),
  );
  if (!created.success) throw new Error(`do_create: ${created.errormsg.join('; ')}`);
  // Status is sampled while the build runs: its catch-up counts in applied, in steps of a transaction.
  // Each step also reads the server's CPU time by thread (/metrics), so (b1) says where the cores went per event.
  const steps: { t: number; n: number; cpu: Map<string, number> }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { n } = await counted().catch(() => ({ n: 0 }));
      if (n > 0 && n !== steps[steps.length - 1]?.n) {
        const t = performance.now();
        steps.push({ t, n, cpu: await threadCpu(srv!).catch(() => new Map()) });
      }
      await sleep(10);
    }
  })();
  const build = await srv.waitForTask(created.bizresult.taskid, 600_000);
  sampling = false;
  await sampler;
  if (build.faild) throw new Error(`build failed: ${build.errs}`);
  // (b1) The backlog is consumed by the build's catch-up phase (before the swap), which logs its span (the events
  // also count in do_get_incr_status's applied).
  const logs1 = String((await srv.admin('do_get_incr_status', { indexName: 'emp', log: true })).bizresult.logs ?? '');
  const from = /^(\S+) catch-up of /m.exec(logs1)?.[1];
  const upTo = /^(\S+) caught up at (.*); swapping/m.exec(logs1);
  const caughtUp = upTo ? [...upTo[2]!.matchAll(/@(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0) : 0;
  const catchUpS = from && upTo ? (Date.parse(upTo[1]!) - Date.parse(from)) / 1000 : NaN;
  const catchUpRate = caughtUp / catchUpS;
  // Measured as (a) is: from the first step's arrival to the last, without the events of the first step (raw
  // kafkajs counts from its first batch on), so neither side pays connecting, joining or the first fetch here.
  const firstStep = steps[0];
  const lastStep = steps[steps.length - 1];
  const steadyRate = firstStep && lastStep && lastStep.t > firstStep.t ? (lastStep.n - firstStep.n) / ((lastStep.t - firstStep.t) / 1000) : NaN;
  console.log(`(b1) ours, build catch-up: ${fmt(steadyRate)} events/s from its first transaction to its last (${steps.length} steps, ${fmt(lastStep?.n ?? 0)} events); the whole phase, connecting and joining included: ${fmt(caughtUp)} events in ${catchUpS.toFixed(1)} s = ${fmt(catchUpRate)} events/s  [load ${loadNow()}]`);
  // Where the server's CPU went per event between the first and the last step, and what that allows on this
  // machine's cores if every one of them were busy all the time.
  const perEvent = firstStep && lastStep && lastStep.n > firstStep.n ? cpuPerEvent(firstStep.cpu, lastStep.cpu, lastStep.n - firstStep.n) : [];
  const cpuTotalUs = perEvent.at(-1)?.[1] ?? NaN;
  const ceiling = (availableParallelism() * 1e6) / cpuTotalUs;
  const coresBusy = firstStep && lastStep ? (cpuTotalUs * (lastStep.n - firstStep.n)) / 1e6 / ((lastStep.t - firstStep.t) / 1000) : NaN;
  console.log(`(b1) server CPU per event, µs: ${perEvent.map(([r, us]) => `${r} ${us.toFixed(1)}`).join(', ')}; ${coresBusy.toFixed(2)} of ${availableParallelism()} cores busy; all busy would allow ${fmt(ceiling)} events/s`);
  if (steps.length < 4) console.log(`    NOTE: only ${steps.length} status steps; the steady rate is rough (raise --partitions for a longer backlog)`);
  if (caughtUp < M) console.log(`    NOTE: the catch-up read ${fmt(caughtUp)} of ${fmt(M)} events; the live channel takes the rest`);

  // (b2) The live channel: a second burst of M2 events produced after it started; counted by do_get_incr_status.
  const M2 = Math.min(M, Math.floor(cap / 2));
  const more = Array.from({ length: M2 }, (_, i) => event(M + i));
  const before0 = await counted();
  // (d) Search latency while the live channel writes the burst, against the same query on the idle server just
  // before: a select (a last name no document holds: the answer is cheap, so what it measures is how long the
  // request waits for the server) every QUERY_EVERY_MS, one at a time.
  const QUERY_EVERY_MS = 20;
  const query = async (): Promise<number> => {
    const t = performance.now();
    await srv!.select('emp', { q: 'last_name:zqnotaname', rows: '1' });
    return performance.now() - t;
  };
  const idleQueries: number[] = [];
  for (let k = 0; k < 100; k++) {
    idleQueries.push(await query());
    await sleep(QUERY_EVERY_MS);
  }
  const busyQueries: number[] = [];
  let querying = true;
  const queryLoop = (async () => {
    while (querying) {
      busyQueries.push(await query());
      await sleep(QUERY_EVERY_MS);
    }
  })();
  // Timed from the start of the burst's production to its last event counted: the channel writes several
  // fetches per transaction, so status counts move in steps of thousands, and timing from the first step would
  // leave out the work before it.
  const burstStart = performance.now();
  let producedAt = NaN;
  const producing = (async () => {
    for (let i = 0; i < M2; i += 1000) await kafka.produce(TOPIC, more.slice(i, i + 1000));
    producedAt = performance.now();
  })();
  let first: { t: number; n: number } | undefined;
  let last: { t: number; n: number; status: any } | undefined;
  const deadline = Date.now() + flags.num('apply-timeout-s', 300) * 1000;
  for (;;) {
    const { n, s } = await counted();
    const now = performance.now();
    if (!first && n > before0.n) first = { t: now, n };
    last = { t: now, n, status: s };
    if (n - before0.n >= M2 || Date.now() > deadline || s.state === 'failed' || s.state === 'stopped') break;
    await sleep(20);
  }
  await producing;
  querying = false;
  await queryLoop;
  idleQueries.sort((a, b) => a - b);
  busyQueries.sort((a, b) => a - b);
  console.log(`(d) search while the channel writes the burst: p50 ${ms(percentile(busyQueries, 50))} / p99 ${ms(percentile(busyQueries, 99))} / max ${ms(busyQueries.at(-1) ?? NaN)} ms over ${busyQueries.length} selects; idle just before: p50 ${ms(percentile(idleQueries, 50))} / p99 ${ms(percentile(idleQueries, 99))} ms`);
  const applyRate = first && last ? (last.n - before0.n) / ((last.t - burstStart) / 1000) : NaN;
  const produceRate = M2 / ((producedAt - burstStart) / 1000);
  const st = last!.status;
  console.log(`(b2) ours, live channel: ${fmt(applyRate)} events/s over ${fmt(last!.n - before0.n)} events, produced at ${fmt(produceRate)}/s (applied ${fmt(st.applied)}, skipped ${fmt(st.skipped)}, state ${st.state})  [load ${loadNow()}]`);
  if (last!.n - before0.n < M2) console.log(`    WARNING: only ${fmt(last!.n - before0.n)} of ${fmt(M2)} events were counted before the deadline/stop (${st.reason ?? ''})`);
  const rssAfterApply = peakRssMiB(srv.child.pid!);

  // (c) latency at a steady rate: background updates plus a probe every 250 ms that sets a unique
  // last_name on a probe key; the probe is timed until a select finds it.
  const bgKeys = ROWS - PROBE_KEYS;
  let bg = 0;
  // Encoded ahead of time so that the steady phase only produces (encoding at 2k/s costs a core here).
  const background = Array.from({ length: RATE * SECONDS }, (_, k) => {
    const i = PROBE_KEYS + (k % bgKeys);
    const before = row(i);
    return { value: encodeCanalJson({ ...base, op: 'update', commitTs: nextTs(), before: image(before), after: image({ ...before, bio: gen.row(i + k + 7).bio }) }, schema), partition: partitionOf(FIRST_EMP_NO + i) };
  });
  const produceBackground = async (count: number) => {
    const batch = background.slice(bg, bg + count);
    bg += batch.length;
    if (batch.length) await kafka.produce(TOPIC, batch);
  };
  const latencies: number[] = [];
  /** [ms into the phase the probe was sent, its latency], to tell a stall at the start from a periodic one. */
  const timeline: [number, number][] = [];
  let missed = 0;
  const probes: Promise<void>[] = [];
  const word = (p: number) => `zq${p.toString(26).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}probe`;
  // Outstanding probes (token → when it was produced), all checked by ONE select every POLL_MS: the measuring
  // load stays ~1/POLL_MS requests a second whatever the latency. (Until 2026-11-30 each probe polled on its own
  // every 5 ms, so on a slow machine a growing latency multiplied the requests the server had to answer on the
  // thread that also writes: 4 probes a second in flight for 2 s meant ~1,600 selects a second.)
  const POLL_MS = 10;
  const outstanding = new Map<string, { sent: number; seen: () => void }>();
  // One poller for the whole phase, until the phase is over and every probe is seen or given up. (Until
  // 2026-11-30 a poller ran only while probes were outstanding and a probe started one if none ran: a probe
  // added just as the poller found nothing left and stopped was never polled, and runs of (c) longer than
  // ~30 s hung.)
  let phaseOver = false;
  let probesInFlight = 0;
  const poll = async (): Promise<void> => {
    while (!phaseOver || probesInFlight > 0 || outstanding.size > 0) {
      if (outstanding.size === 0) {
        await sleep(POLL_MS);
        continue;
      }
      const tokens = [...outstanding.keys()];
      const r = await srv!.select('emp', { q: `last_name:(${tokens.join(' OR ')})`, fl: 'last_name', rows: String(tokens.length) });
      const now = performance.now();
      for (const d of r.response.docs as { last_name?: string }[]) {
        const o = d.last_name === undefined ? undefined : outstanding.get(d.last_name);
        if (!o) continue;
        latencies.push(now - o.sent);
        timeline.push([o.sent - started, now - o.sent]);
        outstanding.delete(d.last_name!);
        o.seen();
      }
      for (const [token, o] of outstanding) {
        if (now - o.sent <= 10_000) continue;
        missed++;
        outstanding.delete(token);
        o.seen();
      }
      await sleep(POLL_MS);
    }
  };
  const probe = async (p: number) => {
    const i = p % PROBE_KEYS;
    const before = row(i);
    const token = word(p);
    const value = encodeCanalJson({ ...base, op: 'update', commitTs: nextTs(), before: image(before), after: image({ ...before, last_name: token }) }, schema);
    const sent = performance.now();
    probesInFlight++;
    try {
      await kafka.produce(TOPIC, [{ value, partition: partitionOf(FIRST_EMP_NO + i) }]);
    } finally {
      probesInFlight--;
    }
    await new Promise<void>((seen) => outstanding.set(token, { sent, seen }));
  };
  const topkText = (t: { ranked?: number; pending?: number; retired?: number } | undefined) => (t ? `${t.ranked ?? 0}/${t.pending ?? 0}/${t.retired ?? 0}` : '—');
  const topkAtStart = (await srv.admin('do_get_index_status', { indexName: 'emp' })).bizresult?.topk;
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const started = performance.now();
  const polling = poll();
  let ticks = 0;
  let produced = 0;
  while (performance.now() - started < SECONDS * 1000) {
    ticks++;
    await produceBackground(perTick);
    produced += perTick;
    if (ticks % 5 === 0) probes.push(probe(ticks / 5));
    const wait = started + ticks * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const steadyS = (performance.now() - started) / 1000;
  phaseOver = true;
  // Every probe is seen or given up within 10 s of being sent: waiting longer means the bench itself is stuck,
  // which it says instead of hanging.
  let settled = 0;
  for (const p of probes) void p.then(() => settled++);
  const stuck = await Promise.race([Promise.all([...probes, polling]).then(() => false), sleep(30_000).then(() => true)]);
  if (stuck) throw new Error(`(c) did not settle: ${settled} of ${probes.length} probes settled, ${outstanding.size} outstanding, ${probesInFlight} being produced`);
  latencies.sort((a, b) => a - b);
  const slowest = [...timeline].sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`(c) slowest probes (sent at s into the phase: ms): ${slowest.map(([at, l]) => `${(at / 1000).toFixed(1)}: ${ms(l)}`).join(', ')}`);
  if (flags.has('timeline')) console.log(`(c) every probe (s: ms): ${[...timeline].sort((a, b) => a[0] - b[0]).map(([at, l]) => `${(at / 1000).toFixed(1)}: ${ms(l)}`).join(', ')}`);
  // The build's top-K lists are ranked in the background after its swap, on threads of their own: where that
  // stood at the start and the end of (c).
  const topkAtEnd = (await srv.admin('do_get_index_status', { indexName: 'emp' })).bizresult?.topk;
  console.log(`(c) top-K lists (ranked/pending/retired): at the start ${topkText(topkAtStart)}, at the end ${topkText(topkAtEnd)}`);
  const s2 = (await srv.admin('do_get_incr_status', { indexName: 'emp' })).bizresult;
  console.log(`(c) ${fmt(produced / steadyS)} events/s produced for ${steadyS.toFixed(1)} s; ${latencies.length} probes seen, ${missed} not seen within 10 s; state ${s2.state}, lag_ms ${s2.lag_ms} (commit times are stamped 10 min ahead)  [load ${loadNow()}]`);
  const peak = peakRssMiB(srv.child.pid!);

  console.log('');
  printTable(
    ['measure', 'value', 'notes'],
    [
      ['(a) raw kafkajs consume', `${fmt(raw.perSec)} events/s`, `${fmt(M)} messages on ${PARTITIONS} partitions, eachBatch, no decoding; ${fmt(raw.parsedPerSec)}/s with JSON.parse`],
      ['(b1) ours, build catch-up', `${fmt(steadyRate)} events/s`, `${fmt(lastStep?.n ?? 0)} events, first to last transaction (${steps.length} steps), measured as (a); whole phase ${fmt(catchUpRate)}/s (task log span: connecting, joining, warming included)`],
      ['(b2) ours, live channel', `${fmt(applyRate)} events/s`, `${fmt(M2)} events, from the start of their production (at ${fmt(produceRate)}/s) to the last counted by do_get_incr_status`],
      ['(b1) server CPU per event', `${cpuTotalUs.toFixed(1)} µs`, `${perEvent.slice(0, -1).map(([r, us]) => `${r} ${us.toFixed(1)}`).join(', ')}; all ${availableParallelism()} cores busy would allow ${fmt(ceiling)} events/s = ${ratio(ceiling, raw.perSec)}×(a); (a) itself used ${raw.cpuUs.toFixed(1)} µs/event`],
      ['(b1)/(a), (b2)/(a)', `${ratio(steadyRate, raw.perSec)}, ${ratio(applyRate, raw.perSec)}`, 'target ≥ 0.3 (and ≥ 30k/s); — when (b1) had too few transactions to time'],
      ['(c) produce → visible, p50', `${ms(percentile(latencies, 50))} ms`, `${latencies.length} probes at ${fmt(produced / steadyS)} events/s, maxWaitMs 100; one select every ${POLL_MS} ms finds them`],
      ['(c) produce → visible, p99', `${ms(percentile(latencies, 99))} ms`, `max ${ms(latencies.at(-1) ?? NaN)} ms; target p99 < 500 ms`],
      ['(d) search during (b2), p50 / p99', `${ms(percentile(busyQueries, 50))} / ${ms(percentile(busyQueries, 99))} ms`, `max ${ms(busyQueries.at(-1) ?? NaN)} ms; ${busyQueries.length} selects one at a time every ${QUERY_EVERY_MS} ms; the idle server just before: ${ms(percentile(idleQueries, 50))} / ${ms(percentile(idleQueries, 99))} ms`],
      ['server peak RSS', `${fmt(peak)} MiB`, `${fmt(rssAfterApply)} MiB after (b); VmHWM of the server process`],
    ],
  );
  console.log(`\nload average at end: ${loadNow()}`);
} finally {
  if (srv) {
    await srv.kill('SIGTERM');
    rmSync(srv.dataDir, { recursive: true, force: true });
  }
  await kafka.stop();
  await db.stop();
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? (a / b).toFixed(2) : '—';
}

async function counted(): Promise<{ n: number; s: any }> {
  const s = (await srv!.admin('do_get_incr_status', { indexName: 'emp' })).bizresult;
  return { n: Number(s.applied ?? 0) + Number(s.skipped ?? 0) + Number(s.ignored ?? 0) + Number(s.rejected ?? 0), s };
}

async function describe(): Promise<TableSchema> {
  await using source = await createMySqlSource({ host: db.host, port: db.port, user: 'root', password: '' });
  return await source.describe('employees', 'employess');
}

async function rawConsume(total: number): Promise<{ perSec: number; parsedPerSec: number; cpuUs: number }> {
  const once = async (parse: boolean, group: string) => {
    const consumer = kafka.client().consumer({ groupId: group, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let n = 0;
    let firstAt = 0;
    let lastAt = 0;
    let firstBatch = 0;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          if (n === 0) {
            firstAt = performance.now();
            firstBatch = batch.messages.length;
          }
          for (const m of batch.messages) if (parse) JSON.parse(m.value!.toString('utf8'));
          n += batch.messages.length;
          lastAt = performance.now();
          if (n >= total) resolve();
        },
      });
    });
    // Stop when everything arrived, or when nothing more came for 3 s (the mock may have dropped some).
    const idle = (async () => {
      while (n < total && !(n > 0 && performance.now() - lastAt > 3000)) await sleep(200);
    })();
    const giveUp = new Promise<void>((r) => setTimeout(r, 300_000).unref());
    await Promise.race([done, idle, giveUp]);
    if (n < total) console.log(`    raw consumer saw ${fmt(n)} of ${fmt(total)} messages (the mock dropped the rest?)`);
    await consumer.disconnect();
    // The first batch arrives at firstAt; count only what came after it.
    return lastAt > firstAt ? (n - firstBatch) / ((lastAt - firstAt) / 1000) : NaN;
  };
  const cpu0 = process.cpuUsage();
  const perSec = await once(false, 'raw-bench');
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / total;
  const parsedPerSec = await once(true, 'raw-bench-parse');
  return { perSec, parsedPerSec, cpuUs };
}
