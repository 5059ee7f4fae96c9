// Log lines are JSON with index and task id from child loggers, and secrets never reach the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, formatPretty, indexLogger } from '../../../src/observability/logger.js';
import { createObservability } from '../../../src/observability/index.js';

function collector(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('index loggers put index and taskId on every line', () => {
  const out = collector();
  const log = createLogger({ level: 'info', destination: out.stream });
  const taskLog = indexLogger(log, 'employees', 7);
  taskLog.info('dump started');
  taskLog.child({ stage: 'dump' }).warn({ rows: 10 }, 'slow chunk');
  const lines = out.lines();
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.equal(line.index, 'employees');
    assert.equal(line.taskId, 7);
  }
  assert.equal(lines[1]!.stage, 'dump');
});

test('passwords, tokens and Authorization headers are redacted', () => {
  const out = collector();
  const log = createLogger({ level: 'info', destination: out.stream });
  log.info({ body: { datasource: { host: 'h', password: 's3cret' } }, token: 'abc', req: { headers: { authorization: 'Bearer abc' } } }, 'create');
  const text = JSON.stringify(out.lines());
  assert.ok(!text.includes('s3cret'), text);
  assert.ok(!text.includes('abc'), text);
  assert.ok(text.includes('[redacted]'));
  assert.ok(text.includes('"host":"h"'));
});

test('events produce log lines with index and task id', () => {
  const out = collector();
  const obs = createObservability({ logLevel: 'info', destination: out.stream, defaultMetrics: false });
  obs.events.emit('build.finished', { index: 'emp', taskId: 3, ok: false, docs: 0, durationMs: 12, error: 'table missing' });
  obs.events.emit('channel.state', { index: 'emp', state: 'failed', reason: 'broker down' });
  const lines = out.lines();
  assert.equal(lines.length, 2);
  assert.deepEqual([lines[0]!.index, lines[0]!.taskId, lines[0]!.msg, lines[0]!.error], ['emp', 3, 'build failed', 'table missing']);
  assert.deepEqual([lines[1]!.index, lines[1]!.msg, lines[1]!.reason], ['emp', 'channel failed', 'broker down']);
  obs.close();
});

test('pretty format is one readable line', () => {
  const line = formatPretty(JSON.stringify({ time: '2026-01-02T03:04:05.678Z', level: 40, msg: 'slow', index: 'emp', taskId: 2, rows: 5 }));
  assert.equal(line, '03:04:05.678 WARN  [emp#2] slow {"rows":5}');
});
