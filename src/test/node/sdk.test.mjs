// End-to-end test of Conifer driven by the official Pinecone TypeScript SDK (8.2.0, API 2026-04).
//
// Run by src/test/java/io/conifer/NodeSdkTest.java against an in-process server, or by hand against
// any running Conifer:
//   CONIFER_URL=http://localhost:5080 CONIFER_API_KEY=... node --test src/test/node/sdk.test.mjs
// Set CONIFER_HTTP_TRACE=1 to print every request and response the SDK exchanges with the server.
//
// The tests of one file run one after another, in order: later tests build on the data earlier ones
// wrote, and each says what it expects the index to hold.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { client, suffix } from './client.mjs';

const pc = client();
const DENSE = `sdk-dense-${suffix}`;
const SPARSE = `sdk-sparse-${suffix}`;
const NS = 'books';

let denseHost;
let index; // Index bound to DENSE, default namespace
let books; // the same index, namespace NS

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

/** Scores are float32 on the server: compare to the exact value with a tolerance. */
function near(actual, expected, what = 'score') {
  assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: expected ${expected}, got ${actual}`);
}

function assertValues(actual, expected, what) {
  assert.equal(actual?.length, expected.length, `${what}: length of ${JSON.stringify(actual)}`);
  expected.forEach((v, i) => near(actual[i], v, `${what}[${i}]`));
}

// Dense records, dimension 4. Against q = [1, 0, 0, 0] their cosine similarities are exactly
// a: 1, b: 0.8, c: 0.6, d: 0, e: -1 (each vector is a unit vector, so cosine = first component).
const A = [1, 0, 0, 0];
const B = [0.8, 0.6, 0, 0];
const C = [0.6, 0, 0.8, 0];
const D = [0, 0, 0, 1];
const E = [-1, 0, 0, 0];
const DEFAULT_RECORDS = [
  { id: 'a', values: A, metadata: { genre: 'drama', year: 2020, rating: 4.5, tags: ['x', 'y'], classic: false } },
  { id: 'b', values: B, metadata: { genre: 'comedy', year: 2018, rating: 3, tags: ['y'], classic: false } },
  { id: 'c', values: C, metadata: { genre: 'drama', year: 1999, rating: 5, tags: ['z'], classic: true } },
  { id: 'd', values: D, metadata: { genre: 'horror', year: 2021, rating: 2, classic: false } },
  { id: 'e', values: E, metadata: { genre: 'comedy', year: 1985, rating: 4, classic: true } },
];

before(async () => {
  // Leftovers from an interrupted run against a persistent server are not ours to clean: names are unique.
});

after(async () => {
  for (const name of [DENSE, SPARSE]) {
    try {
      await pc.configureIndex({ name, deletionProtection: 'disabled' });
      await pc.deleteIndex(name);
    } catch (e) {
      if (!(e instanceof Errors.PineconeNotFoundError)) console.log(`cleanup of ${name}: ${e}`);
    }
  }
});

test('createIndex creates a dense serverless index and returns its model', async () => {
  const model = await pc.createIndex({
    name: DENSE,
    dimension: 4,
    metric: 'cosine',
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    tags: { team: 'search', env: 'test' },
    waitUntilReady: true,
  });
  assert.equal(model.name, DENSE);
  assert.equal(model.dimension, 4);
  assert.equal(model.metric, 'cosine');
  assert.equal(model.status.ready, true);
  assert.equal(model.status.state, 'Ready');
  // The scheme of a plaintext port: the SDK keeps it, where it would turn a bare host into https://.
  assert.match(model.host, /^http:\/\/[^/:]+:\d+$/, 'host carries the plaintext scheme');
});

test('describeIndex reports host, dimension, metric, status, spec, tags and deletion protection', async () => {
  const model = await pc.describeIndex(DENSE);
  assert.equal(model.name, DENSE);
  assert.equal(model.dimension, 4);
  assert.equal(model.metric, 'cosine');
  assert.equal(model.vectorType, 'dense');
  assert.equal(model.status.ready, true);
  assert.equal(model.status.state, 'Ready');
  assert.equal(model.deletionProtection, 'disabled');
  assert.deepEqual(model.tags, { team: 'search', env: 'test' });
  assert.equal(model.spec.serverless.cloud, 'aws');
  assert.equal(model.spec.serverless.region, 'us-east-1');
  assert.equal(model.privateHost, undefined, 'no private_host: the SDK would prefer it over host');
  assert.match(model.host, /^http:\/\/[^/:]+:\d+$/);
  denseHost = model.host;
  // By name: the SDK resolves the host with describeIndex and uses it as given.
  index = pc.index(DENSE);
  // An explicit host, as a user who already has it passes it.
  books = pc.index({ name: DENSE, host: denseHost, namespace: NS });
});

test('listIndexes includes the new index with the same fields', async () => {
  const list = await pc.listIndexes();
  assert.ok(Array.isArray(list.indexes));
  const found = list.indexes.filter((i) => i.name === DENSE);
  assert.equal(found.length, 1, `${DENSE} in ${list.indexes.map((i) => i.name)}`);
  assert.equal(found[0].host, denseHost);
  assert.equal(found[0].dimension, 4);
  assert.equal(found[0].metric, 'cosine');
  assert.equal(found[0].status.ready, true);
  assert.deepEqual(found[0].tags, { team: 'search', env: 'test' });
  assert.equal(found[0].deletionProtection, 'disabled');
});

test('createIndex with a name that exists fails with PineconeConflictError', async () => {
  await rejectsWith(
    pc.createIndex({
      name: DENSE,
      dimension: 4,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    }),
    Errors.PineconeConflictError,
  );
  // suppressConflicts turns the conflict into success.
  await pc.createIndex({
    name: DENSE,
    dimension: 4,
    metric: 'cosine',
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    suppressConflicts: true,
  });
});

test('describeIndex of an unknown index fails with PineconeNotFoundError', async () => {
  await rejectsWith(pc.describeIndex(`no-such-index-${suffix}`), Errors.PineconeNotFoundError);
});

test('configureIndex merges tags, removes a tag set to "" and toggles deletion protection', async () => {
  const model = await pc.configureIndex({
    name: DENSE,
    tags: { env: 'prod', owner: 'alice', team: '' },
    deletionProtection: 'enabled',
  });
  assert.deepEqual(model.tags, { env: 'prod', owner: 'alice' });
  assert.equal(model.deletionProtection, 'enabled');
  const described = await pc.describeIndex(DENSE);
  assert.deepEqual(described.tags, { env: 'prod', owner: 'alice' });
  assert.equal(described.deletionProtection, 'enabled');
  assert.equal(described.dimension, 4, 'configure keeps the rest of the model');
  assert.equal(described.host, denseHost);
});

test('upsert writes records with metadata to the default and a named namespace', async () => {
  await index.upsert({ records: DEFAULT_RECORDS });
  await books.upsert({
    records: [
      { id: 'book#1', values: [0, 1, 0, 0], metadata: { title: 'Dune', pages: 412 } },
      { id: 'book#2', values: [0, 0.6, 0.8, 0], metadata: { title: 'Emma', pages: 474 } },
      { id: 'book#3', values: [0, 0, 1, 0], metadata: { title: 'Ulysses', pages: 730 } },
    ],
  });
  // The namespace option of a call overrides the Index's own.
  await index.upsert({ namespace: 'scratch', records: [{ id: 's1', values: A }, { id: 's2', values: B }] });
});

test('describeIndexStats reports namespaces, record counts and dimension', async () => {
  const stats = await index.describeIndexStats();
  assert.equal(stats.dimension, 4);
  assert.equal(stats.totalRecordCount, 10);
  assert.deepEqual(stats.namespaces, {
    '': { recordCount: 5 },
    [NS]: { recordCount: 3 },
    scratch: { recordCount: 2 },
  });
});

test('query by vector returns matches in score order with exact cosine scores', async () => {
  const res = await index.query({ vector: A, topK: 5 });
  assert.deepEqual(res.matches.map((m) => m.id), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(res.usage?.readUnits, 1, 'a query reports read units, as Pinecone always does');
  [1, 0.8, 0.6, 0, -1].forEach((s, i) => near(res.matches[i].score, s, `score of ${res.matches[i].id}`));
  // Without includeValues / includeMetadata, neither comes back.
  for (const m of res.matches) {
    assert.ok(m.values === undefined || m.values.length === 0, `no values for ${m.id}: ${JSON.stringify(m.values)}`);
    assert.equal(m.metadata, undefined, `no metadata for ${m.id}`);
  }
});

test('query with topK, includeValues and includeMetadata', async () => {
  const res = await index.query({ vector: [0.6, 0.8, 0, 0], topK: 2, includeValues: true, includeMetadata: true });
  // cos([0.6,0.8,0,0], b) = 0.48 + 0.48 = 0.96; with a: 0.6; with c: 0.36.
  assert.deepEqual(res.matches.map((m) => m.id), ['b', 'a']);
  near(res.matches[0].score, 0.96);
  near(res.matches[1].score, 0.6);
  assertValues(res.matches[0].values, B, 'values of b');
  assertValues(res.matches[1].values, A, 'values of a');
  assert.deepEqual(res.matches[0].metadata, DEFAULT_RECORDS[1].metadata);
  assert.deepEqual(res.matches[1].metadata, DEFAULT_RECORDS[0].metadata);
});

test('query by id uses the stored vector of that record', async () => {
  const res = await index.query({ id: 'b', topK: 3 });
  // cos(b, b) = 1, cos(b, a) = 0.8, cos(b, c) = 0.48.
  assert.deepEqual(res.matches.map((m) => m.id), ['b', 'a', 'c']);
  near(res.matches[0].score, 1);
  near(res.matches[1].score, 0.8);
  near(res.matches[2].score, 0.48);
});

test('query in a named namespace only sees that namespace', async () => {
  const res = await books.query({ vector: [0, 1, 0, 0], topK: 10, includeMetadata: true });
  assert.equal(res.namespace, NS);
  assert.deepEqual(res.matches.map((m) => m.id), ['book#1', 'book#2', 'book#3']);
  near(res.matches[0].score, 1);
  near(res.matches[1].score, 0.6);
  near(res.matches[2].score, 0);
  assert.deepEqual(res.matches[0].metadata, { title: 'Dune', pages: 412 });
  // The same query through the default-namespace Index with an explicit namespace option.
  const again = await index.query({ vector: [0, 1, 0, 0], topK: 1, namespace: NS });
  assert.deepEqual(again.matches.map((m) => m.id), ['book#1']);
});

test('query with metadata filters', async () => {
  const ids = async (filter) =>
    (await index.query({ vector: A, topK: 10, filter })).matches.map((m) => m.id);
  assert.deepEqual(await ids({ genre: { $eq: 'drama' } }), ['a', 'c']);
  assert.deepEqual(await ids({ genre: 'drama' }), ['a', 'c'], 'implicit $eq');
  assert.deepEqual(await ids({ genre: { $ne: 'drama' } }), ['b', 'd', 'e']);
  assert.deepEqual(await ids({ genre: { $in: ['comedy', 'horror'] } }), ['b', 'd', 'e']);
  assert.deepEqual(await ids({ genre: { $nin: ['comedy', 'horror'] } }), ['a', 'c']);
  assert.deepEqual(await ids({ year: { $gt: 2018 } }), ['a', 'd']);
  assert.deepEqual(await ids({ year: { $gte: 2018 } }), ['a', 'b', 'd']);
  assert.deepEqual(await ids({ year: { $lt: 2000 } }), ['c', 'e']);
  assert.deepEqual(await ids({ rating: { $lte: 3 } }), ['b', 'd']);
  assert.deepEqual(await ids({ rating: { $gt: 4.2 } }), ['a', 'c']);
  assert.deepEqual(await ids({ classic: { $eq: true } }), ['c', 'e']);
  assert.deepEqual(await ids({ tags: { $in: ['y'] } }), ['a', 'b'], '$in on a list field');
  assert.deepEqual(await ids({ tags: 'z' }), ['c'], 'equality on a list field matches an element');
  assert.deepEqual(await ids({ tags: { $exists: true } }), ['a', 'b', 'c']);
  assert.deepEqual(await ids({ tags: { $exists: false } }), ['d', 'e']);
  assert.deepEqual(await ids({ $and: [{ genre: 'comedy' }, { year: { $gt: 2000 } }] }), ['b']);
  assert.deepEqual(await ids({ $or: [{ genre: 'horror' }, { year: { $lt: 1990 } }] }), ['d', 'e']);
  assert.deepEqual(await ids({ genre: 'drama', year: { $lt: 2000 } }), ['c'], 'several fields are ANDed');
  assert.deepEqual(await ids({ genre: 'western' }), []);
});

test('query with a filter keeps score order and topK', async () => {
  const res = await index.query({ vector: E, topK: 1, filter: { genre: { $in: ['drama', 'comedy'] } } });
  assert.deepEqual(res.matches.map((m) => m.id), ['e']);
  near(res.matches[0].score, 1);
});

test('searchRecords by vector and by id answers as query does, with the metadata as fields', async () => {
  const res = await index.searchRecords({ query: { topK: 3, vector: { values: A } } });
  const query = await index.query({ vector: A, topK: 3 });
  assert.deepEqual(res.result.hits.map((h) => h._id), ['a', 'b', 'c']);
  res.result.hits.forEach((h, i) => assert.equal(h._score, query.matches[i].score, `score of ${h._id}`));
  assert.deepEqual(res.result.hits[0].fields, DEFAULT_RECORDS[0].metadata);
  assert.equal(res.usage.readUnits, 1);

  const byId = await index.searchRecords({ query: { topK: 3, id: 'b' }, fields: ['genre', 'year', 'missing'] });
  assert.deepEqual(byId.result.hits.map((h) => h._id), ['b', 'a', 'c']);
  [1, 0.8, 0.48].forEach((s, i) => near(byId.result.hits[i]._score, s, `score of ${byId.result.hits[i]._id}`));
  assert.deepEqual(byId.result.hits[0].fields, { genre: 'comedy', year: 2018 });

  const inBooks = await books.searchRecords({
    query: { topK: 10, vector: { values: [0, 1, 0, 0] }, filter: { pages: { $gt: 450 } } },
  });
  assert.deepEqual(inBooks.result.hits.map((h) => h._id), ['book#2', 'book#3']);

  await rejectsWith(index.searchRecords({ query: { topK: 1, inputs: { text: 'a drama' } } }),
    Errors.PineconeBadRequestError, /integrated embedding/);
});

test('fetch returns values and metadata by id, and omits unknown ids', async () => {
  const res = await index.fetch({ ids: ['a', 'c', 'missing'] });
  assert.deepEqual(Object.keys(res.records).sort(), ['a', 'c']);
  assert.equal(res.usage?.readUnits, 1, '1 read unit per 10 records fetched, at least 1');
  assert.equal(res.records.a.id, 'a');
  assertValues(res.records.a.values, A, 'a');
  assertValues(res.records.c.values, C, 'c');
  assert.deepEqual(res.records.a.metadata, DEFAULT_RECORDS[0].metadata);
  assert.deepEqual(res.records.c.metadata, DEFAULT_RECORDS[2].metadata);

  const inBooks = await books.fetch({ ids: ['book#2', 'a'] });
  assert.equal(inBooks.namespace, NS);
  assert.deepEqual(Object.keys(inBooks.records), ['book#2']);
  assert.deepEqual(inBooks.records['book#2'].metadata, { title: 'Emma', pages: 474 });
});

test('update replaces values and merges metadata', async () => {
  await index.update({ id: 'd', values: [0, 0, 0.6, 0.8], metadata: { genre: 'thriller', director: 'Nolan' } });
  const res = await index.fetch({ ids: ['d'] });
  assertValues(res.records.d.values, [0, 0, 0.6, 0.8], 'updated d');
  assert.deepEqual(res.records.d.metadata, { genre: 'thriller', year: 2021, rating: 2, classic: false, director: 'Nolan' });

  // Metadata only: values stay.
  await books.update({ id: 'book#3', metadata: { pages: 731 } });
  const book = await books.fetch({ ids: ['book#3'] });
  assertValues(book.records['book#3'].values, [0, 0, 1, 0], 'book#3 values untouched');
  assert.deepEqual(book.records['book#3'].metadata, { title: 'Ulysses', pages: 731 });

  // The updated vector and metadata are what queries see.
  const q = await index.query({ vector: [0, 0, 0.6, 0.8], topK: 1, includeMetadata: true, filter: { director: 'Nolan' } });
  assert.deepEqual(q.matches.map((m) => m.id), ['d']);
  near(q.matches[0].score, 1);
  assert.equal(q.matches[0].metadata.genre, 'thriller');
});

test('listPaginated walks all pages with prefix, limit and paginationToken', async () => {
  const ids = [];
  for (let i = 0; i < 23; i++) ids.push(`doc#${String(i).padStart(2, '0')}`);
  const records = ids.map((id, i) => ({ id, values: [1, i + 1, 0, 0] }));
  records.push({ id: 'other#1', values: [0, 1, 1, 0] });
  await index.upsert({ namespace: 'paging', records });

  const pages = [];
  let token;
  do {
    // Later pages send only the token, as newer clients do: it carries the first request's page size.
    const page = await index.listPaginated(
      token ? { namespace: 'paging', prefix: 'doc#', paginationToken: token } : { namespace: 'paging', prefix: 'doc#', limit: 10 });
    pages.push(page.vectors.map((v) => v.id));
    assert.equal(page.namespace, 'paging');
    token = page.pagination?.next;
    assert.ok(pages.length <= 3, `too many pages: ${JSON.stringify(pages)}`);
  } while (token);
  assert.deepEqual(pages.map((p) => p.length), [10, 10, 3]);
  assert.deepEqual(pages.flat(), ids, 'every id once, in sorted order');

  const all = await index.listPaginated({ namespace: 'paging' });
  assert.equal(all.vectors.length, 24);
  assert.equal(all.pagination?.next, undefined, 'no next page when everything fits');

  const none = await index.listPaginated({ namespace: 'paging', prefix: 'nothing' });
  assert.deepEqual(none.vectors ?? [], []);

  const dflt = await index.listPaginated({ limit: 100 });
  assert.deepEqual(dflt.vectors.map((v) => v.id), ['a', 'b', 'c', 'd', 'e']);
});

test('deleteOne and deleteMany by ids', async () => {
  await index.deleteOne({ id: 'e' });
  await books.deleteMany({ ids: ['book#1', 'book#3', 'not-there'] });
  assert.deepEqual(Object.keys((await index.fetch({ ids: ['a', 'e'] })).records), ['a']);
  assert.deepEqual(Object.keys((await books.fetch({ ids: ['book#1', 'book#2', 'book#3'] })).records), ['book#2']);
  // The id-list variant on the default namespace, via the namespace option.
  await index.deleteMany({ ids: ['other#1'], namespace: 'paging' });
  const stats = await index.describeIndexStats();
  assert.deepEqual(stats.namespaces, {
    '': { recordCount: 4 },
    [NS]: { recordCount: 1 },
    scratch: { recordCount: 2 },
    paging: { recordCount: 23 },
  });
  assert.equal(stats.totalRecordCount, 30);
});

test('deleteMany by metadata filter', async () => {
  // Default namespace now: a (drama 2020), b (comedy 2018), c (drama 1999), d (thriller 2021).
  await index.deleteMany({ filter: { genre: { $eq: 'drama' } } });
  const left = await index.listPaginated();
  assert.deepEqual(left.vectors.map((v) => v.id), ['b', 'd']);
  await index.deleteMany({ filter: { year: { $gt: 2020 } } });
  assert.deepEqual((await index.listPaginated()).vectors.map((v) => v.id), ['b']);
});

test('deleteAll empties one namespace and leaves the others', async () => {
  await index.deleteAll({ namespace: 'paging' });
  const stats = await index.describeIndexStats();
  assert.equal(stats.namespaces.paging, undefined, `paging gone from ${JSON.stringify(stats.namespaces)}`);
  assert.deepEqual(stats.namespaces[''], { recordCount: 1 });
  assert.deepEqual(stats.namespaces[NS], { recordCount: 1 });
  assert.deepEqual(stats.namespaces.scratch, { recordCount: 2 });
  assert.equal(stats.totalRecordCount, 4);
  assert.deepEqual((await index.listPaginated({ namespace: 'paging' })).vectors ?? [], []);
});

test('listNamespaces, describeNamespace and deleteNamespace', async () => {
  const list = await index.listNamespaces();
  const byName = Object.fromEntries(list.namespaces.map((n) => [n.name, n.recordCount]));
  assert.deepEqual(byName, { __default__: 1, [NS]: 1, scratch: 2 });
  assert.deepEqual(list.namespaces.map((n) => n.name), ['__default__', NS, 'scratch'], 'bitwise order');
  assert.equal(list.totalCount, 3);

  // Pagination over namespaces.
  const first = await index.listNamespaces({ limit: 2 });
  assert.deepEqual(first.namespaces.map((n) => n.name), ['__default__', NS]);
  assert.ok(first.pagination?.next, 'a next token after the first page');
  const second = await index.listNamespaces({ limit: 2, paginationToken: first.pagination.next });
  assert.deepEqual(second.namespaces.map((n) => n.name), ['scratch']);
  assert.equal(second.pagination?.next, undefined);

  const prefixed = await index.listNamespaces({ prefix: 'scr' });
  assert.deepEqual(prefixed.namespaces.map((n) => n.name), ['scratch']);

  const ns = await index.describeNamespace('scratch');
  assert.equal(ns.name, 'scratch');
  assert.equal(ns.recordCount, 2);

  await index.deleteNamespace('scratch');
  await rejectsWith(index.describeNamespace('scratch'), Errors.PineconeNotFoundError);
  const after = await index.listNamespaces();
  assert.deepEqual(after.namespaces.map((n) => n.name), ['__default__', NS]);
  assert.equal((await index.describeIndexStats()).totalRecordCount, 2);
});

test('listNamespaces reports total_count of all matching namespaces on every page', async () => {
  // The spec: total_count is "the total number of namespaces in the index matching the prefix".
  const first = await index.listNamespaces({ limit: 1 });
  assert.equal(first.totalCount, 2);
  const second = await index.listNamespaces({ limit: 1, paginationToken: first.pagination.next });
  assert.deepEqual(second.namespaces.map((n) => n.name), [NS]);
  assert.equal(second.totalCount, 2);
});

test('createNamespace creates an empty namespace that survives deleteAll-free life and can be deleted', async () => {
  const ns = await index.createNamespace({ name: 'created' });
  assert.equal(ns.name, 'created');
  assert.equal((await index.describeNamespace('created')).recordCount, 0);
  await rejectsWith(index.createNamespace({ name: 'created' }), Errors.PineconeConflictError);
  await index.deleteNamespace('created');
  await rejectsWith(index.describeNamespace('created'), Errors.PineconeNotFoundError);
});

test('fetchByMetadata returns the records matching a filter', async () => {
  const res = await books.fetchByMetadata({ filter: { title: { $eq: 'Emma' } } });
  assert.deepEqual(Object.keys(res.records), ['book#2']);
  assert.equal(res.records['book#2'].metadata.title, 'Emma');
});

test('update by metadata filter sets metadata on every matching record', async () => {
  await books.update({ filter: { title: 'Emma' }, metadata: { read: true } });
  const rec = (await books.fetch({ ids: ['book#2'] })).records['book#2'];
  assert.equal(rec.metadata.read, true);
  assert.equal(rec.metadata.title, 'Emma', 'other metadata kept');
});

test('upsert with the wrong dimension is rejected', async () => {
  const err = await rejectsWith(
    index.upsert({ records: [{ id: 'bad', values: [1, 2, 3] }] }),
    Errors.PineconeBadRequestError,
    /dimension/i,
  );
  assert.match(err.message, /3/);
  assert.match(err.message, /4/);
  assert.deepEqual((await index.fetch({ ids: ['bad'] })).records, {}, 'nothing written');
  await rejectsWith(index.query({ vector: [1, 0], topK: 1 }), Errors.PineconeBadRequestError, /dimension/i);
});

test('a wrong API key is rejected by the control and the data plane', async () => {
  const bad = client('not-the-key');
  await rejectsWith(bad.listIndexes(), Errors.PineconeAuthorizationError);
  await rejectsWith(bad.describeIndex(DENSE), Errors.PineconeAuthorizationError);
  const badIndex = bad.index(DENSE, denseHost);
  await rejectsWith(badIndex.query({ vector: A, topK: 1 }), Errors.PineconeAuthorizationError);
  await rejectsWith(badIndex.upsert({ records: [{ id: 'x', values: A }] }), Errors.PineconeAuthorizationError);
  assert.deepEqual((await index.fetch({ ids: ['x'] })).records, {}, 'nothing written with a bad key');
});

test('sparse index: create, upsert sparse vectors, query with sparseVector', async () => {
  const model = await pc.createIndex({
    name: SPARSE,
    vectorType: 'sparse',
    metric: 'dotproduct',
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    waitUntilReady: true,
  });
  assert.equal(model.name, SPARSE);
  const described = await pc.describeIndex(SPARSE);
  assert.equal(described.vectorType, 'sparse');
  assert.equal(described.metric, 'dotproduct');
  assert.ok(described.dimension === undefined || described.dimension === null, `no dimension: ${described.dimension}`);
  assert.notEqual(described.host, denseHost);

  const sparse = pc.index(SPARSE);
  await sparse.upsert({
    records: [
      { id: 's1', sparseValues: { indices: [1, 5, 9], values: [1, 2, 3] }, metadata: { kind: 'odd' } },
      { id: 's2', sparseValues: { indices: [2, 5], values: [4, 1] }, metadata: { kind: 'mixed' } },
      { id: 's3', sparseValues: { indices: [100], values: [7] }, metadata: { kind: 'far' } },
    ],
  });
  // q = {5: 2, 9: 1}: s1 -> 2*2 + 3*1 = 7, s2 -> 1*2 = 2, s3 -> 0 (no shared dimension).
  const res = await sparse.query({
    sparseVector: { indices: [5, 9], values: [2, 1] },
    topK: 3,
    includeValues: true,
    includeMetadata: true,
  });
  const positive = res.matches.filter((m) => m.score > 0);
  assert.deepEqual(positive.map((m) => m.id), ['s1', 's2']);
  near(positive[0].score, 7);
  near(positive[1].score, 2);
  assert.deepEqual(positive[0].sparseValues.indices, [1, 5, 9]);
  assertValues(positive[0].sparseValues.values, [1, 2, 3], 's1 sparse values');
  assert.deepEqual(positive[0].metadata, { kind: 'odd' });

  const filtered = await sparse.query({ sparseVector: { indices: [5], values: [1] }, topK: 3, filter: { kind: 'mixed' } });
  assert.deepEqual(filtered.matches.map((m) => m.id), ['s2']);
  near(filtered.matches[0].score, 1);

  const fetched = await sparse.fetch({ ids: ['s2'] });
  assert.deepEqual(fetched.records.s2.sparseValues.indices, [2, 5]);
  assertValues(fetched.records.s2.sparseValues.values, [4, 1], 's2 sparse values');

  const stats = await sparse.describeIndexStats();
  assert.equal(stats.totalRecordCount, 3);
  assert.deepEqual(stats.namespaces, { '': { recordCount: 3 } });

  await pc.deleteIndex(SPARSE);
  await rejectsWith(pc.describeIndex(SPARSE), Errors.PineconeNotFoundError);
});

test('deleteIndex fails under deletion protection, then succeeds once it is disabled', async () => {
  assert.equal((await pc.describeIndex(DENSE)).deletionProtection, 'enabled');
  // 403 FORBIDDEN, which the SDK maps to PineconeBadRequestError.
  // The exact text of Pinecone's message: the TS, Python and Go SDKs' own tests match it.
  await rejectsWith(pc.deleteIndex(DENSE), Errors.PineconeBadRequestError,
    /Deletion protection is enabled for this index\. Disable deletion protection before retrying\./);
  assert.equal((await pc.describeIndex(DENSE)).name, DENSE, 'still there');
  const model = await pc.configureIndex({ name: DENSE, deletionProtection: 'disabled' });
  assert.equal(model.deletionProtection, 'disabled');
  await pc.deleteIndex(DENSE);
  await rejectsWith(pc.describeIndex(DENSE), Errors.PineconeNotFoundError);
  const list = await pc.listIndexes();
  assert.equal((list.indexes ?? []).filter((i) => i.name === DENSE).length, 0);
  await rejectsWith(pc.deleteIndex(DENSE), Errors.PineconeNotFoundError);
});
