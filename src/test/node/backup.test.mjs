// Backups and restores (control plane) of Conifer driven by the official Pinecone TypeScript SDK
// (8.2.0, API 2026-04): createBackup, describeBackup, listBackups, deleteBackup,
// createIndexFromBackup, describeRestoreJob and listRestoreJobs, with each restored index read back
// over the REST data plane and compared with its source record by record and query by query.
//
// Run by src/test/java/io/conifer/NodeSdkTest.java against an in-process server, or by hand against
// any running Conifer:
//   CONIFER_URL=http://localhost:5080 CONIFER_API_KEY=... node --test src/test/node/backup.test.mjs
// Set CONIFER_HTTP_TRACE=1 to print every request and response the SDK exchanges with the server.
//
// The tests of this file run one after another, in order: later tests use the indexes, backups and
// restore jobs earlier ones made. Backups and restore jobs of other clients of the same server may
// be listed too: the tests only assume that theirs are listed, each exactly once.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { client, suffix } from './client.mjs';

const pc = client();
const SOURCE = `bk-src-${suffix}`;
const RESTORED = `bk-restored-${suffix}`;
const OVERRIDE = `bk-override-${suffix}`;
const AFTER_DELETE = `bk-after-delete-${suffix}`;
const SOURCE_TAGS = { team: 'search', env: 'test' };
const NS = 'docs';
const DIM = 6;
const WAIT_MS = 120_000;

const createdIndexes = [SOURCE, RESTORED, OVERRIDE, AFTER_DELETE];
const createdBackups = [];

let backup; // the first backup of SOURCE, Ready
const moreBackups = []; // four more backups of SOURCE, in creation order
const restoreJobs = []; // our restore jobs, in creation order
let sourceSnapshot; // SOURCE's records and query results when it was backed up

// ------------------------------------------------------------------ data

/** A deterministic pseudo-random vector (values with three decimals, first component well above zero). */
function vector(seed) {
  let x = seed * 7919 + 17;
  const v = [];
  for (let i = 0; i < DIM; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    v.push(Math.round(((x / 2147483648) * 2 - 1) * 1000) / 1000);
  }
  v[0] += 2;
  return v;
}

const RECORDS = {
  '': Array.from({ length: 20 }, (_, i) => ({
    id: `r${String(i).padStart(2, '0')}`,
    values: vector(i),
    ...(i % 5 === 4
      ? {} // some records have no metadata
      : { metadata: { group: `g${i % 3}`, n: i, even: i % 2 === 0, labels: i % 2 === 0 ? ['a', 'b'] : ['c'], score: i * 0.25 } }),
  })),
  [NS]: Array.from({ length: 6 }, (_, i) => ({
    id: `doc#${i}`,
    values: vector(1000 + i),
    metadata: { group: `g${i % 2}`, title: `Dokument ${i} ✓` },
  })),
};
const TOTAL = RECORDS[''].length + RECORDS[NS].length;
const QUERIES = [vector(5000), vector(5001), vector(5002)];
const FILTERS = [undefined, { group: { $eq: 'g1' } }, { $or: [{ even: true }, { title: { $exists: true } }] }];

// ------------------------------------------------------------------ helpers

/** Expects `promise` to reject with an instance of `type`; returns the error. */
async function rejectsWith(promise, type, messagePattern) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${type.name}, but the call succeeded`);
  assert.ok(error instanceof type, `expected ${type.name}, got ${error?.name}: ${error?.message}`);
  if (messagePattern) assert.match(error.message, messagePattern);
  return error;
}

function near(actual, expected, what, tolerance = 1e-5) {
  assert.ok(Math.abs(actual - expected) < tolerance, `${what}: expected ${expected}, got ${actual}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function awaitBackupReady(backupId) {
  const deadline = Date.now() + WAIT_MS;
  let b;
  while (Date.now() < deadline) {
    b = await pc.describeBackup(backupId);
    if (b.status === 'Ready') return b;
    assert.equal(b.status, 'Initializing', `backup ${backupId} failed: ${JSON.stringify(b)}`);
    await sleep(50);
  }
  assert.fail(`backup ${backupId} is not Ready: ${JSON.stringify(b)}`);
}

/**
 * Polls a restore job until Completed, checking on the way that its status only moves forward
 * (Pending, InProgress, Completed), that percentComplete never decreases, and that completedAt is
 * absent until it completes.
 */
async function awaitRestoreCompleted(restoreJobId) {
  const order = ['Pending', 'InProgress', 'Completed'];
  const deadline = Date.now() + WAIT_MS;
  let lastStep = 0;
  let lastPercent = 0;
  let j;
  while (Date.now() < deadline) {
    j = await pc.describeRestoreJob(restoreJobId);
    assert.equal(j.restoreJobId, restoreJobId);
    const step = order.indexOf(j.status);
    assert.ok(step >= 0, `restore job ${restoreJobId} is ${j.status}: ${JSON.stringify(j)}`);
    assert.ok(step >= lastStep, `status went back to ${j.status}`);
    assert.equal(typeof j.percentComplete, 'number', `percentComplete: ${JSON.stringify(j)}`);
    assert.ok(j.percentComplete >= lastPercent && j.percentComplete <= 100, `percentComplete ${lastPercent} -> ${j.percentComplete}`);
    assert.ok(j.createdAt instanceof Date && !Number.isNaN(j.createdAt.getTime()), `createdAt ${j.createdAt}`);
    lastStep = step;
    lastPercent = j.percentComplete;
    if (j.status === 'Completed') return j;
    assert.equal(j.completedAt, undefined, `completedAt while ${j.status}`);
    await sleep(50);
  }
  assert.fail(`restore job ${restoreJobId} did not complete: ${JSON.stringify(j)}`);
}

/** Every page of a paginated list call; each page holds at most `limit` items. */
async function allPages(list, limit) {
  const pages = [];
  let paginationToken;
  do {
    const page = await list({ limit, paginationToken });
    assert.ok(Array.isArray(page.data), `data: ${JSON.stringify(page)}`);
    assert.ok(page.data.length <= limit, `page of ${page.data.length} with limit ${limit}`);
    pages.push(page.data);
    paginationToken = page.pagination?.next;
    if (paginationToken !== undefined) assert.ok(paginationToken.length > 0, 'an empty next token instead of no pagination');
    assert.ok(pages.length < 1000, 'pagination does not end');
  } while (paginationToken);
  return pages;
}

function dataPlane(model) {
  assert.match(model.host, /^http:\/\/[^/:]+:\d+$/, 'host carries the plaintext scheme');
  return pc.index(model.name);
}

/** Everything observable about an index's contents: ids, records, stats and query results. */
async function snapshot(index) {
  const out = { namespaces: {}, stats: undefined };
  const stats = await index.describeIndexStats();
  out.stats = { totalRecordCount: stats.totalRecordCount, dimension: stats.dimension, namespaces: stats.namespaces };
  for (const ns of Object.keys(RECORDS)) {
    const idx = index.namespace(ns);
    const ids = [];
    let paginationToken;
    do {
      const page = await idx.listPaginated({ limit: 7, paginationToken });
      ids.push(...(page.vectors ?? []).map((v) => v.id));
      paginationToken = page.pagination?.next;
    } while (paginationToken);
    const fetched = await idx.fetch({ ids: RECORDS[ns].map((r) => r.id) });
    const queries = [];
    for (const vector of QUERIES) {
      for (const filter of FILTERS) {
        const res = await idx.query({ vector, topK: 50, filter, includeValues: true, includeMetadata: true });
        queries.push(res.matches.map((m) => ({ id: m.id, score: m.score, values: m.values, metadata: m.metadata })));
      }
    }
    const byId = await idx.query({ id: RECORDS[ns][0].id, topK: 10 });
    queries.push(byId.matches.map((m) => ({ id: m.id, score: m.score })));
    out.namespaces[ns] = { ids, records: fetched.records, queries };
  }
  return out;
}

/** The snapshot `actual` holds exactly RECORDS (values with float32 rounding) and ranks by cosine. */
function assertHoldsRecords(actual) {
  assert.equal(actual.stats.totalRecordCount, TOTAL);
  assert.equal(actual.stats.dimension, DIM);
  assert.deepEqual(actual.stats.namespaces, { '': { recordCount: RECORDS[''].length }, [NS]: { recordCount: RECORDS[NS].length } });
  for (const [ns, records] of Object.entries(RECORDS)) {
    const got = actual.namespaces[ns];
    assert.deepEqual(got.ids, records.map((r) => r.id).sort(), `ids of '${ns}'`);
    assert.deepEqual(Object.keys(got.records).sort(), records.map((r) => r.id).sort());
    for (const r of records) {
      const rec = got.records[r.id];
      assert.equal(rec.id, r.id);
      assert.equal(rec.values.length, DIM);
      r.values.forEach((v, i) => near(rec.values[i], v, `${r.id}.values[${i}]`));
      assert.deepEqual(rec.metadata, r.metadata, `metadata of ${r.id}`);
    }
    // Unfiltered queries rank by cosine similarity, computed here.
    QUERIES.forEach((q, qi) => {
      const expected = records
        .map((r) => ({ id: r.id, score: cosine(r.values, q) }))
        .sort((a, b) => b.score - a.score);
      const matches = got.queries[qi * FILTERS.length];
      assert.deepEqual(matches.map((m) => m.id), expected.map((e) => e.id), `ranking of query ${qi} in '${ns}'`);
      matches.forEach((m, i) => near(m.score, expected[i].score, `score of ${m.id}`));
    });
  }
}

function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

after(async () => {
  for (const name of createdIndexes) {
    try {
      await pc.configureIndex({ name, deletionProtection: 'disabled' });
      await pc.deleteIndex(name);
    } catch (e) {
      if (!(e instanceof Errors.PineconeNotFoundError)) console.log(`cleanup of index ${name}: ${e}`);
    }
  }
  for (const id of createdBackups) {
    try {
      await pc.deleteBackup(id);
    } catch (e) {
      if (!(e instanceof Errors.PineconeNotFoundError)) console.log(`cleanup of backup ${id}: ${e}`);
    }
  }
});

// ------------------------------------------------------------------ backups

test('setup: a dense source index with tags and records in two namespaces', async () => {
  const model = await pc.createIndex({
    name: SOURCE,
    dimension: DIM,
    metric: 'cosine',
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    tags: SOURCE_TAGS,
    waitUntilReady: true,
  });
  const index = dataPlane(await pc.describeIndex(SOURCE));
  assert.equal(model.name, SOURCE);
  for (const [ns, records] of Object.entries(RECORDS)) await index.namespace(ns).upsert({ records });
  sourceSnapshot = await snapshot(index);
  assertHoldsRecords(sourceSnapshot);
});

test('createBackup returns a BackupModel describing the source index', async () => {
  const created = await pc.createBackup({ indexName: SOURCE, name: 'nightly', description: 'before the bulk update' });
  createdBackups.push(created.backupId);
  assert.equal(typeof created.backupId, 'string');
  assert.ok(created.backupId.length > 0);
  assert.equal(created.sourceIndexName, SOURCE);
  assert.equal(typeof created.sourceIndexId, 'string');
  assert.ok(created.sourceIndexId.length > 0);
  assert.equal(created.name, 'nightly');
  assert.equal(created.description, 'before the bulk update');
  assert.ok(['Initializing', 'Ready'].includes(created.status), `status ${created.status}`);
  assert.equal(created.cloud, 'aws');
  assert.equal(created.region, 'us-east-1');
  assert.equal(created.dimension, DIM);
  assert.equal(created.metric, 'cosine');
  assert.deepEqual(created.tags, SOURCE_TAGS);
  assert.equal(typeof created.createdAt, 'string');
  assert.ok(!Number.isNaN(Date.parse(created.createdAt)), `createdAt ${created.createdAt}`);
  backup = created;
});

test('describeBackup reaches Ready with record, namespace and size counts', async () => {
  const ready = await awaitBackupReady(backup.backupId);
  assert.equal(ready.backupId, backup.backupId);
  assert.equal(ready.sourceIndexName, SOURCE);
  assert.equal(ready.sourceIndexId, backup.sourceIndexId);
  assert.equal(ready.name, 'nightly');
  assert.equal(ready.description, 'before the bulk update');
  assert.equal(ready.recordCount, TOTAL);
  assert.equal(ready.namespaceCount, 2);
  assert.equal(typeof ready.sizeBytes, 'number');
  assert.ok(ready.sizeBytes > 0, `sizeBytes ${ready.sizeBytes}`);
  assert.equal(ready.dimension, DIM);
  assert.equal(ready.metric, 'cosine');
  assert.deepEqual(ready.tags, SOURCE_TAGS);
  assert.equal(ready.createdAt, backup.createdAt);
  backup = ready;
});

test('createBackup without name or description, and of an unknown index', async () => {
  const bare = await pc.createBackup({ indexName: SOURCE });
  createdBackups.push(bare.backupId);
  moreBackups.push(bare.backupId);
  assert.equal(bare.sourceIndexName, SOURCE);
  assert.ok(!bare.name, `no name: ${bare.name}`);
  assert.ok(!bare.description, `no description: ${bare.description}`);
  await awaitBackupReady(bare.backupId);
  await rejectsWith(pc.createBackup({ indexName: `no-such-index-${suffix}` }), Errors.PineconeNotFoundError);
});

test('listBackups of an index pages through every backup once, oldest first', async () => {
  for (let i = 1; i <= 3; i++) {
    const b = await pc.createBackup({ indexName: SOURCE, name: `more-${i}` });
    createdBackups.push(b.backupId);
    moreBackups.push(b.backupId);
  }
  for (const id of moreBackups) await awaitBackupReady(id);
  const expected = [backup.backupId, ...moreBackups];

  const pages = await allPages((o) => pc.listBackups({ indexName: SOURCE, ...o }), 2);
  assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
  const walked = pages.flat();
  assert.deepEqual(walked.map((b) => b.backupId), expected);
  for (const b of walked) {
    assert.equal(b.sourceIndexName, SOURCE);
    assert.equal(b.status, 'Ready');
    assert.equal(b.recordCount, TOTAL);
  }
  assert.deepEqual(walked.map((b) => b.name ?? null), ['nightly', null, 'more-1', 'more-2', 'more-3']);

  // Without a limit: the default page of 10 holds them all, with no pagination.
  const all = await pc.listBackups({ indexName: SOURCE });
  assert.deepEqual(all.data.map((b) => b.backupId), expected);
  assert.equal(all.pagination, undefined, 'no pagination on the last page');

  await rejectsWith(pc.listBackups({ indexName: `no-such-index-${suffix}` }), Errors.PineconeNotFoundError);
});

test('listBackups of the project pages through every backup once', async () => {
  const pages = await allPages((o) => pc.listBackups(o), 2);
  const ids = pages.flat().map((b) => b.backupId);
  assert.equal(new Set(ids).size, ids.length, `no backup twice: ${ids}`);
  const ours = [backup.backupId, ...moreBackups];
  assert.deepEqual(ids.filter((id) => ours.includes(id)), ours, 'all of ours, in creation order');
  assert.ok(pages.length >= 3, `5 or more backups in pages of 2: ${pages.length} pages`);

  // No options at all: the first page of 10.
  const first = await pc.listBackups();
  assert.deepEqual(first.data.map((b) => b.backupId), ids.slice(0, 10));
  if (ids.length <= 10) assert.equal(first.pagination, undefined);
});

test('listBackups rejects a limit outside 1..100 and a foreign paginationToken', async () => {
  await rejectsWith(pc.listBackups({ limit: 0 }), Errors.PineconeBadRequestError, /limit/);
  await rejectsWith(pc.listBackups({ indexName: SOURCE, limit: 101 }), Errors.PineconeBadRequestError, /limit/);
  await rejectsWith(pc.listBackups({ limit: 2, paginationToken: 'not-a-token' }), Errors.PineconeBadRequestError);
});

// ------------------------------------------------------------------ restores

test('createIndexFromBackup starts a restore job; the new index is listed at once', async () => {
  const started = await pc.createIndexFromBackup({ backupId: backup.backupId, name: RESTORED });
  assert.equal(typeof started.restoreJobId, 'string');
  assert.equal(typeof started.indexId, 'string');
  assert.ok(started.restoreJobId.length > 0 && started.indexId.length > 0);
  restoreJobs.push({ ...started, target: RESTORED });

  const early = await pc.describeIndex(RESTORED);
  assert.equal(early.name, RESTORED);
  assert.equal(early.dimension, DIM);
  assert.equal(early.metric, 'cosine');
  if (early.status.ready) assert.equal(early.status.state, 'Ready', 'the restore may already be done');
  else assert.equal(early.status.state, 'Initializing');
  const listed = (await pc.listIndexes()).indexes.filter((i) => i.name === RESTORED);
  assert.equal(listed.length, 1);
});

test('describeRestoreJob reaches Completed with 100 percent and completedAt', async () => {
  const { restoreJobId, indexId } = restoreJobs[0];
  const job = await awaitRestoreCompleted(restoreJobId);
  assert.equal(job.backupId, backup.backupId);
  assert.equal(job.targetIndexName, RESTORED);
  assert.equal(job.targetIndexId, indexId);
  assert.equal(job.percentComplete, 100);
  assert.ok(job.completedAt instanceof Date && !Number.isNaN(job.completedAt.getTime()), `completedAt ${job.completedAt}`);
  assert.ok(job.completedAt.getTime() >= job.createdAt.getTime(), `${job.createdAt} .. ${job.completedAt}`);
});

test('the restored index has the configuration of the source and its tags', async () => {
  const model = await pc.describeIndex(RESTORED);
  const source = await pc.describeIndex(SOURCE);
  assert.equal(model.dimension, DIM);
  assert.equal(model.metric, 'cosine');
  assert.equal(model.vectorType, 'dense');
  assert.equal(model.status.ready, true);
  assert.equal(model.status.state, 'Ready');
  assert.equal(model.spec.serverless.cloud, 'aws');
  assert.equal(model.spec.serverless.region, 'us-east-1');
  // The SDK sends no tags and no deletion_protection unless given: the source's tags are kept.
  assert.deepEqual(model.tags, SOURCE_TAGS);
  assert.equal(model.deletionProtection, 'disabled');
  assert.notEqual(model.host, source.host, 'its own data-plane port');
});

test('the restored index holds the source records and answers queries identically', async () => {
  const restored = await snapshot(dataPlane(await pc.describeIndex(RESTORED)));
  assertHoldsRecords(restored);
  assert.deepEqual(restored.stats, sourceSnapshot.stats);
  for (const ns of Object.keys(RECORDS)) {
    const a = sourceSnapshot.namespaces[ns];
    const b = restored.namespaces[ns];
    assert.deepEqual(b.ids, a.ids, `ids of '${ns}'`);
    for (const id of Object.keys(a.records)) assert.deepEqual(b.records[id], a.records[id], `record ${id} of '${ns}'`);
    assert.equal(b.queries.length, a.queries.length);
    a.queries.forEach((matches, qi) => {
      assert.deepEqual(b.queries[qi].map((m) => m.id), matches.map((m) => m.id), `ids of query ${qi} in '${ns}'`);
      matches.forEach((m, i) => {
        assert.equal(b.queries[qi][i].score, m.score, `score of ${m.id} in query ${qi}`);
        assert.deepEqual(b.queries[qi][i].values, m.values);
        assert.deepEqual(b.queries[qi][i].metadata, m.metadata);
      });
    });
  }
});

test('the restored index is independent of its source', async () => {
  const restored = dataPlane(await pc.describeIndex(RESTORED));
  const source = dataPlane(await pc.describeIndex(SOURCE));
  await restored.upsert({ records: [{ id: 'only-in-restored', values: vector(99) }] });
  assert.deepEqual(Object.keys((await restored.fetch({ ids: ['only-in-restored'] })).records), ['only-in-restored']);
  assert.deepEqual((await source.fetch({ ids: ['only-in-restored'] })).records, {});
  assert.equal((await source.describeIndexStats()).totalRecordCount, TOTAL);
  assert.equal((await restored.describeIndexStats()).totalRecordCount, TOTAL + 1);
});

test('createIndexFromBackup into an existing name fails with PineconeConflictError', async () => {
  await rejectsWith(pc.createIndexFromBackup({ backupId: backup.backupId, name: SOURCE }), Errors.PineconeConflictError);
  await rejectsWith(
    pc.createIndexFromBackup({ backupId: backup.backupId, name: RESTORED, deletionProtection: 'enabled' }),
    Errors.PineconeConflictError,
  );
  assert.equal((await pc.describeIndex(RESTORED)).deletionProtection, 'disabled', 'the conflict changed nothing');
});

test('unknown backups and restore jobs are PineconeNotFoundError', async () => {
  await rejectsWith(
    pc.createIndexFromBackup({ backupId: `no-such-backup-${suffix}`, name: `bk-never-${suffix}` }),
    Errors.PineconeNotFoundError,
  );
  await rejectsWith(pc.describeIndex(`bk-never-${suffix}`), Errors.PineconeNotFoundError);
  await rejectsWith(pc.describeBackup(`no-such-backup-${suffix}`), Errors.PineconeNotFoundError);
  await rejectsWith(pc.deleteBackup(`no-such-backup-${suffix}`), Errors.PineconeNotFoundError);
  await rejectsWith(pc.describeRestoreJob(`no-such-job-${suffix}`), Errors.PineconeNotFoundError);
  await rejectsWith(
    pc.createIndexFromBackup({ backupId: backup.backupId, name: 'Not_A_Valid_Name' }),
    Errors.PineconeBadRequestError,
  );
});

test('createIndexFromBackup with tags and deletionProtection applies them', async () => {
  const started = await pc.createIndexFromBackup({
    backupId: moreBackups[0],
    name: OVERRIDE,
    tags: { env: 'staging', owner: 'qa' },
    deletionProtection: 'enabled',
  });
  restoreJobs.push({ ...started, target: OVERRIDE });
  const job = await awaitRestoreCompleted(started.restoreJobId);
  assert.equal(job.backupId, moreBackups[0]);
  assert.equal(job.targetIndexName, OVERRIDE);

  const model = await pc.describeIndex(OVERRIDE);
  assert.deepEqual(model.tags, { ...SOURCE_TAGS, env: 'staging', owner: 'qa' }, 'the given tags merge over the source tags');
  assert.equal(model.deletionProtection, 'enabled');
  assert.equal(model.dimension, DIM);
  assert.equal((await dataPlane(model).describeIndexStats()).totalRecordCount, TOTAL);

  // 403 FORBIDDEN, which the SDK maps to PineconeBadRequestError.
  await rejectsWith(pc.deleteIndex(OVERRIDE), Errors.PineconeBadRequestError, /deletion protection/i);
  assert.equal((await pc.configureIndex({ name: OVERRIDE, deletionProtection: 'disabled' })).deletionProtection, 'disabled');
  await pc.deleteIndex(OVERRIDE);
  await rejectsWith(pc.describeIndex(OVERRIDE), Errors.PineconeNotFoundError);
});

test('listRestoreJobs pages through every restore job once', async () => {
  for (let i = 0; i < 2; i++) {
    const name = `bk-jobs-${i}-${suffix}`;
    createdIndexes.push(name);
    const started = await pc.createIndexFromBackup({ backupId: moreBackups[1], name });
    restoreJobs.push({ ...started, target: name });
  }
  for (const j of restoreJobs) await awaitRestoreCompleted(j.restoreJobId);

  const pages = await allPages((o) => pc.listRestoreJobs(o), 2);
  const jobs = pages.flat();
  const ids = jobs.map((j) => j.restoreJobId);
  assert.equal(new Set(ids).size, ids.length, `no job twice: ${ids}`);
  const ours = restoreJobs.map((j) => j.restoreJobId);
  assert.deepEqual(ids.filter((id) => ours.includes(id)), ours, 'all of ours, in creation order');
  assert.ok(pages.length >= 2);
  for (const j of jobs) {
    const mine = restoreJobs.find((r) => r.restoreJobId === j.restoreJobId);
    if (!mine) continue;
    assert.equal(j.targetIndexName, mine.target);
    assert.equal(j.targetIndexId, mine.indexId);
    assert.equal(j.status, 'Completed');
    assert.equal(j.percentComplete, 100);
    assert.ok(j.createdAt instanceof Date && j.completedAt instanceof Date);
  }

  const everything = await pc.listRestoreJobs({ limit: 100 });
  assert.deepEqual(everything.data.map((j) => j.restoreJobId), ids.slice(0, 100));
  if (ids.length <= 100) assert.equal(everything.pagination, undefined, 'no pagination on the last page');
  const dflt = await pc.listRestoreJobs({});
  assert.deepEqual(dflt.data.map((j) => j.restoreJobId), ids.slice(0, 10), 'a default page of 10');

  await rejectsWith(pc.listRestoreJobs({ limit: 0 }), Errors.PineconeBadRequestError, /limit/);
  await rejectsWith(pc.listRestoreJobs({ limit: 101 }), Errors.PineconeBadRequestError, /limit/);
});

test('deleteBackup removes a backup: describeBackup is then PineconeNotFoundError', async () => {
  const victim = moreBackups.pop();
  await pc.deleteBackup(victim);
  await rejectsWith(pc.describeBackup(victim), Errors.PineconeNotFoundError);
  const listed = (await pc.listBackups({ indexName: SOURCE, limit: 100 })).data.map((b) => b.backupId);
  assert.deepEqual(listed, [backup.backupId, ...moreBackups]);
  await rejectsWith(pc.deleteBackup(victim), Errors.PineconeNotFoundError);
  await rejectsWith(pc.createIndexFromBackup({ backupId: victim, name: `bk-never-${suffix}` }), Errors.PineconeNotFoundError);
  // The other backups of the index are untouched.
  assert.equal((await pc.describeBackup(moreBackups[0])).status, 'Ready');
});

test('a backup restores after its source index was deleted', async () => {
  await pc.deleteIndex(SOURCE);
  await rejectsWith(pc.describeIndex(SOURCE), Errors.PineconeNotFoundError);

  const kept = await pc.describeBackup(backup.backupId);
  assert.equal(kept.status, 'Ready');
  assert.equal(kept.sourceIndexName, SOURCE);
  assert.equal(kept.recordCount, TOTAL);
  const project = (await allPages((o) => pc.listBackups(o), 100)).flat().map((b) => b.backupId);
  assert.ok(project.includes(backup.backupId), 'still listed in the project');
  // Listing by the deleted index's name is not found: no index has that name any more.
  await rejectsWith(pc.listBackups({ indexName: SOURCE }), Errors.PineconeNotFoundError);

  const started = await pc.createIndexFromBackup({ backupId: backup.backupId, name: AFTER_DELETE });
  const job = await awaitRestoreCompleted(started.restoreJobId);
  assert.equal(job.targetIndexName, AFTER_DELETE);
  const model = await pc.describeIndex(AFTER_DELETE);
  assert.deepEqual(model.tags, SOURCE_TAGS);
  const restored = await snapshot(dataPlane(model));
  assertHoldsRecords(restored);
  for (const ns of Object.keys(RECORDS)) {
    assert.deepEqual(restored.namespaces[ns].records, sourceSnapshot.namespaces[ns].records, `records of '${ns}'`);
    assert.deepEqual(restored.namespaces[ns].queries, sourceSnapshot.namespaces[ns].queries, `queries of '${ns}'`);
  }
});

// ------------------------------------------------------------------ in-use guards (throttled server)

// NodeSdkTest runs the server with backup and restore I/O throttled (CONIFER_BACKUP_THROTTLED=1), so a
// copy of a ~100 KB index takes seconds and its in-between states are observable. Against an
// unthrottled server these states pass too fast to assert on, so the test is skipped.
const throttled = process.env.CONIFER_BACKUP_THROTTLED === '1';

test('an Initializing backup can be deleted, one in use cannot (412), restores run with the new index Initializing', { skip: !throttled && 'needs CONIFER_BACKUP_THROTTLED=1' }, async () => {
  const name = `bk-slow-${suffix}`;
  const target = `bk-slow-restored-${suffix}`;
  createdIndexes.push(name, target);
  await pc.createIndex({
    name,
    dimension: DIM,
    metric: 'cosine',
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    waitUntilReady: true,
  });
  const index = dataPlane(await pc.describeIndex(name));
  const records = Array.from({ length: 1500 }, (_, i) => ({ id: `v${i}`, values: vector(i), metadata: { n: i } }));
  for (let i = 0; i < records.length; i += 500) await index.upsert({ records: records.slice(i, i + 500) });

  // The SDK maps HTTP 412 to no error class of its own: PineconeUnmappedHttpError, status in the message.
  const assert412 = async (promise, messagePattern) => {
    const e = await rejectsWith(promise, Errors.PineconeUnmappedHttpError, /Status: 412/);
    assert.match(e.message, /FAILED_PRECONDITION/);
    assert.match(e.message, messagePattern);
  };

  // While the backup is copied: Initializing, not restorable; another one deleted while Initializing is
  // gone at once (its copy is cancelled) and does not disturb the first.
  const created = await pc.createBackup({ indexName: name, name: 'slow' });
  createdBackups.push(created.backupId);
  assert.equal(created.status, 'Initializing');
  assert.equal((await pc.describeBackup(created.backupId)).status, 'Initializing');
  const scratch = await pc.createBackup({ indexName: name, name: 'scratch' });
  assert.equal(scratch.status, 'Initializing');
  await pc.deleteBackup(scratch.backupId);
  await rejectsWith(pc.describeBackup(scratch.backupId), Errors.PineconeNotFoundError);
  await rejectsWith(
    pc.createIndexFromBackup({ backupId: created.backupId, name: `bk-too-early-${suffix}` }),
    Errors.PineconeBadRequestError,
    /Ready/,
  );
  const ready = await awaitBackupReady(created.backupId);
  assert.equal(ready.recordCount, records.length);

  // While the restore runs: the job is not done, the index is listed but Initializing, and the
  // backup it reads cannot be deleted.
  const started = await pc.createIndexFromBackup({ backupId: created.backupId, name: target });
  const running = await pc.describeRestoreJob(started.restoreJobId);
  assert.ok(['Pending', 'InProgress'].includes(running.status), running.status);
  assert.ok(running.percentComplete < 100, `percentComplete ${running.percentComplete}`);
  assert.equal(running.completedAt, undefined);
  const initializing = await pc.describeIndex(target);
  assert.equal(initializing.status.ready, false);
  assert.equal(initializing.status.state, 'Initializing');
  assert.equal(initializing.dimension, DIM);
  const listed = (await pc.listIndexes()).indexes.find((i) => i.name === target);
  assert.equal(listed?.status.state, 'Initializing');
  await assert412(pc.deleteBackup(created.backupId), new RegExp(started.restoreJobId));
  await rejectsWith(pc.createIndexFromBackup({ backupId: created.backupId, name: target }), Errors.PineconeConflictError);

  const done = await awaitRestoreCompleted(started.restoreJobId);
  assert.equal(done.percentComplete, 100);
  const model = await pc.describeIndex(target);
  assert.equal(model.status.ready, true);
  const restored = dataPlane(model);
  assert.equal((await restored.describeIndexStats()).totalRecordCount, records.length);
  const sample = ['v0', 'v777', 'v1499'];
  assert.deepEqual((await restored.fetch({ ids: sample })).records, (await index.fetch({ ids: sample })).records);
  const q = { vector: vector(4242), topK: 20 };
  assert.deepEqual((await restored.query(q)).matches, (await index.query(q)).matches);

  // Once no restore reads it, the backup can be deleted.
  await pc.deleteBackup(created.backupId);
  await rejectsWith(pc.describeBackup(created.backupId), Errors.PineconeNotFoundError);
});
