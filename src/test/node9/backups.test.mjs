// Backups and restores through the official TypeScript SDK 9.0.0 (API 2026-07): pc.backups.create /
// describe / list / listByIndex (with includeDeleted) / createIndex / delete and pc.restoreJobs.*,
// with the restored index read back over the data plane. Run by NodeSdk9Test on a server whose
// backup copying is throttled (CONIFER_BACKUP_THROTTLED=1), so in-between states can be observed.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { client, suffix, poll, dataPlane } from './client.mjs';

const pc = client();
const SOURCE = `bk9-src-${suffix}`;
const RESTORED = `bk9-restored-${suffix}`;
const EARLY = `bk9-early-${suffix}`;
const indexes = [SOURCE, RESTORED, EARLY];
let backupId;
let sourceId;

after(async () => {
  for (const name of indexes) await pc.indexes.delete(name).catch(() => {});
});

const ready = (id) => poll(`backup ${id} Ready`, async () => {
  const b = await pc.backups.describe(id);
  assert.notEqual(b.status, 'InitializationFailed', JSON.stringify(b));
  return b.status === 'Ready' ? b : undefined;
});

test('create a backup: 200, the typed schema, Initializing then Ready', async () => {
  const model = await pc.indexes.create({
    name: SOURCE,
    schema: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'dotproduct' } } },
    tags: { env: 'test' },
  });
  sourceId = model.name;
  const index = await dataPlane(pc, SOURCE);
  // y's metadata is ~24 KB that does not compress, so that the copy, throttled to 20 KB/s, takes seconds:
  // the 412 below must reach the server while the backup is still Initializing.
  let seed = 1;
  const noise = Array.from({ length: 24_000 }, () => {
    seed = (seed * 48271) % 2147483647;
    return 'abcdefghijklmnopqrstuvwxyz0123456789'[seed % 36];
  }).join('');
  await index.upsert({ records: [{ id: 'x', values: [1, 2, 3], metadata: { k: 'v' } }, { id: 'y', values: [3, 2, 1], metadata: { noise } }] });

  await assert.rejects(pc.backups.create(SOURCE, { name: 'Not A Valid Name' }), Errors.PineconeBadRequestError);
  const created = await pc.backups.create(SOURCE, { name: 'first', description: 'before changes' });
  backupId = created.backupId;
  assert.equal(created.status, 'Initializing');
  assert.equal(created.sourceIndexName, SOURCE);
  assert.equal(created.schema.fields._values.dimension, 3);
  assert.equal(created.schema.fields._values.metric, 'dotproduct');
  assert.equal(created.dimension, undefined);

  // While it is copied, a restore is refused with 412 (the SDK has no class for it).
  await assert.rejects(pc.backups.createIndex(backupId, { name: EARLY }), (e) => /412|FAILED_PRECONDITION/.test(e.message));
  await assert.rejects(pc.indexes.describe(EARLY), Errors.PineconeNotFoundError);

  const done = await ready(backupId);
  assert.equal(done.recordCount, 2);
  assert.equal(done.namespaceCount, 1);
  assert.ok(done.sizeBytes > 0);
  assert.deepEqual(done.tags, { env: 'test' });
});

test('list backups by index and project', async () => {
  const byIndex = await pc.backups.listByIndex(SOURCE);
  assert.deepEqual(byIndex.data.map((b) => b.backupId), [backupId]);
  const all = await pc.backups.list();
  assert.ok(all.data.some((b) => b.backupId === backupId));
  await assert.rejects(pc.backups.list({ paginationToken: 'not-a-token' }), Errors.PineconeBadRequestError);
  await assert.rejects(pc.backups.listByIndex(`bk9-missing-${suffix}`), Errors.PineconeNotFoundError);
});

test('restore into a new index with read capacity, then read it back', async () => {
  const started = await pc.backups.createIndex(backupId, {
    name: RESTORED,
    tags: { restored: 'yes' },
    readCapacity: { mode: 'Dedicated', dedicated: { nodeType: 'b1', scaling: 'Manual', manual: { replicas: 1, shards: 1 } } },
  });
  assert.ok(started.restoreJobId && started.indexId);
  const job = await poll('restore job', async () => {
    const j = await pc.restoreJobs.describe(started.restoreJobId);
    assert.ok(['Pending', 'Completed'].includes(j.status), j.status);
    assert.ok(j.percentComplete === undefined || Number.isInteger(j.percentComplete), String(j.percentComplete));
    return j.status === 'Completed' ? j : undefined;
  });
  assert.equal(job.percentComplete, 100);
  assert.ok(job.completedAt instanceof Date);
  const jobs = await pc.restoreJobs.list();
  assert.ok(jobs.data.some((j) => j.restoreJobId === started.restoreJobId));

  const restored = await pc.indexes.describe(RESTORED);
  assert.equal(restored.sourceBackupId, backupId);
  assert.equal(restored.readCapacity.mode, 'Dedicated');
  assert.deepEqual(restored.tags, { env: 'test', restored: 'yes' });
  assert.equal(restored.dimension, 3);
  const index = await dataPlane(pc, RESTORED);
  const fetched = await index.fetch({ ids: ['x', 'y'] });
  assert.deepEqual(fetched.records.x.values, [1, 2, 3]);
  assert.deepEqual(fetched.records.x.metadata, { k: 'v' });
  assert.deepEqual(fetched.records.y.values, [3, 2, 1]);
  await assert.rejects(pc.backups.createIndex(backupId, { name: RESTORED }), Errors.PineconeConflictError);
});

test('backups outlive their index, and a new index with its name is another source', async () => {
  await pc.indexes.delete(SOURCE);
  await assert.rejects(pc.backups.listByIndex(SOURCE), Errors.PineconeNotFoundError);
  const withDeleted = await pc.backups.listByIndex(SOURCE, { includeDeleted: true });
  assert.equal(withDeleted.data.length, 1);
  assert.ok(withDeleted.data[0].sourceIndexDeletedAt instanceof Date, JSON.stringify(withDeleted.data[0]));
  await pc.indexes.create({ name: SOURCE, schema: { fields: { _sparse_values: { type: 'sparse_vector' } } } });
  assert.equal((await pc.backups.listByIndex(SOURCE)).data.length, 0);
  const second = await pc.backups.create(SOURCE, {});
  await ready(second.backupId);
  const both = await pc.backups.listByIndex(SOURCE, { includeDeleted: true });
  assert.deepEqual(both.data.map((b) => b.backupId).sort(), [backupId, second.backupId].sort());
  assert.equal(both.data.find((b) => b.backupId === second.backupId).sourceIndexDeletedAt, undefined);
  assert.equal(both.data.find((b) => b.backupId === second.backupId).schema.fields._sparse_values.type, 'sparse_vector');
});

test('delete backups', async () => {
  const ids = (await pc.backups.list()).data.filter((b) => b.sourceIndexName === SOURCE).map((b) => b.backupId);
  for (const id of ids) await pc.backups.delete(id);
  for (const id of ids) await assert.rejects(pc.backups.describe(id), Errors.PineconeNotFoundError);
});
