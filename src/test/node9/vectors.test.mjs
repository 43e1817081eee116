// Vector data operations through the official TypeScript SDK 9.0.0 (API 2026-07) on a classic vector
// index created from the 2026-07 schema: upsert, fetch, fetchByMetadata, query by vector and id with
// filters, update by id and by filter, list, delete, stats and namespaces, plus the 2026-07 request
// rules (ASCII ids, a vector with a value of magnitude >= 1e-8). Run by NodeSdk9Test.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { client, suffix, dataPlane } from './client.mjs';

const pc = client();
const NAME = `vx-${suffix}`;
const NS = 'books';
let index;

const RECORDS = [
  { id: 'a', values: [1, 0, 0, 0], metadata: { genre: 'drama', year: 1990 } },
  { id: 'b', values: [0, 1, 0, 0], metadata: { genre: 'comedy', year: 2001 } },
  { id: 'c', values: [0.9, 0.1, 0, 0], metadata: { genre: 'drama', year: 2010 } },
  { id: 'd', values: [0, 0, 1, 0], metadata: { genre: 'horror', year: 2020 } },
];

before(async () => {
  await pc.indexes.create({
    name: NAME,
    schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'cosine' } } },
  });
  index = await dataPlane(pc, NAME);
});

after(async () => {
  await pc.indexes.delete(NAME).catch(() => {});
});

test('upsert, fetch and stats', async () => {
  await index.upsert({ records: RECORDS, namespace: NS });
  await index.upsert({ records: [{ id: 'default-1', values: [0, 0, 0, 1] }] });
  const fetched = await index.fetch({ ids: ['a', 'c', 'missing'], namespace: NS });
  assert.deepEqual(Object.keys(fetched.records).sort(), ['a', 'c']);
  assert.deepEqual(fetched.records.a.values, [1, 0, 0, 0]);
  assert.deepEqual(fetched.records.c.metadata, { genre: 'drama', year: 2010 });
  const stats = await index.describeIndexStats();
  assert.equal(stats.dimension, 4);
  assert.equal(stats.totalRecordCount, 5);
  assert.equal(stats.namespaces[NS].recordCount, 4);
  assert.equal(stats.namespaces[''].recordCount, 1);
});

test('query by vector and by id, with a metadata filter', async () => {
  const res = await index.query({ vector: [1, 0.05, 0, 0], topK: 2, namespace: NS, includeMetadata: true });
  assert.deepEqual(res.matches.map((m) => m.id), ['a', 'c']);
  assert.ok(res.matches[0].score > 0.99, `score ${res.matches[0].score}`);
  assert.equal(res.matches[0].metadata.genre, 'drama');
  const filtered = await index.query({ vector: [1, 0, 0, 0], topK: 3, namespace: NS, filter: { year: { $gte: 2001 } } });
  assert.deepEqual(filtered.matches.map((m) => m.id), ['c', 'b', 'd'].filter((id) => filtered.matches.some((m) => m.id === id)));
  assert.ok(!filtered.matches.some((m) => m.id === 'a'));
  const byId = await index.query({ id: 'b', topK: 1, namespace: NS, includeValues: true });
  assert.equal(byId.matches[0].id, 'b');
  assert.deepEqual(byId.matches[0].values, [0, 1, 0, 0]);
});

test('searchRecords by vector and by id, with a filter and fields', async () => {
  const res = await index.searchRecords({ namespace: NS, query: { topK: 2, vector: { values: [1, 0.05, 0, 0] } } });
  const query = await index.query({ vector: [1, 0.05, 0, 0], topK: 2, namespace: NS });
  assert.deepEqual(res.result.hits.map((h) => h._id), ['a', 'c']);
  res.result.hits.forEach((h, i) => assert.equal(h._score, query.matches[i].score, `score of ${h._id}`));
  assert.deepEqual(res.result.hits[0].fields, { genre: 'drama', year: 1990 });
  assert.equal(res.usage.readUnits, 1);

  const byId = await index.searchRecords({
    namespace: NS,
    query: { topK: 2, id: 'b', filter: { genre: { $eq: 'comedy' } } },
    fields: ['year'],
  });
  assert.deepEqual(byId.result.hits.map((h) => [h._id, h.fields]), [['b', { year: 2001 }]]);
  assert.ok(byId.result.hits[0]._score > 0.99, `score ${byId.result.hits[0]._score}`);
  const inDefault = await index.searchRecords({ query: { topK: 5, id: 'default-1' } });
  assert.deepEqual(inDefault.result.hits.map((h) => h._id), ['default-1']);

  await assert.rejects(
    index.searchRecords({
      namespace: NS,
      query: { topK: 1, vector: { values: [1, 0, 0, 0] } },
      rerank: { model: 'bge-reranker-v2-m3', rankFields: ['genre'] },
    }),
    (e) => e instanceof Errors.PineconeBadRequestError && /rerank/.test(e.message),
  );
});

test('update by id and by filter, fetchByMetadata, list', async () => {
  await index.update({ id: 'd', metadata: { genre: 'thriller' }, namespace: NS });
  assert.equal((await index.fetch({ ids: ['d'], namespace: NS })).records.d.metadata.genre, 'thriller');
  await index.update({ filter: { genre: { $eq: 'drama' } }, metadata: { classic: true }, namespace: NS });
  const classics = await index.fetchByMetadata({ filter: { classic: { $eq: true } }, namespace: NS });
  assert.deepEqual(Object.keys(classics.records).sort(), ['a', 'c']);
  const listed = await index.listPaginated({ namespace: NS, prefix: '' });
  assert.deepEqual(listed.vectors.map((v) => v.id), ['a', 'b', 'c', 'd']);
});

test('namespaces: create, describe, list, delete', async () => {
  const created = await index.createNamespace({ name: `ns-${suffix}` });
  assert.equal(created.name, `ns-${suffix}`);
  const described = await index.describeNamespace(NS);
  assert.equal(String(described.recordCount), '4');
  const listed = await index.listNamespaces();
  assert.ok(listed.namespaces.some((n) => n.name === NS));
  await index.deleteNamespace(`ns-${suffix}`);
  await assert.rejects(index.describeNamespace(`ns-${suffix}`), Errors.PineconeNotFoundError);
});

test('2026-07 request rules: ASCII ids and a non-zero vector', async () => {
  await assert.rejects(
    index.upsert({ records: [{ id: 'caf\u00e9', values: [1, 0, 0, 0] }], namespace: NS }),
    (e) => e instanceof Errors.PineconeBadRequestError && /ASCII/.test(e.message),
  );
  await assert.rejects(
    index.upsert({ records: [{ id: 'zero', values: [0, 0, 1e-9, 0] }], namespace: NS }),
    (e) => e instanceof Errors.PineconeBadRequestError && /1e-8/.test(e.message),
  );
  await assert.rejects(
    index.upsert({ records: [{ id: 'short', values: [1, 0] }], namespace: NS }),
    Errors.PineconeBadRequestError,
  );
  const fetched = await index.fetch({ ids: ['zero', 'short'], namespace: NS });
  assert.deepEqual(fetched.records, {}, 'a rejected upsert writes nothing');
});

test('delete by ids, by filter and all', async () => {
  await index.deleteOne({ id: 'a', namespace: NS });
  await index.deleteMany({ filter: { genre: { $eq: 'comedy' } }, namespace: NS });
  assert.deepEqual(Object.keys((await index.fetch({ ids: ['a', 'b', 'c'], namespace: NS })).records), ['c']);
  await index.deleteAll({ namespace: NS });
  const stats = await index.describeIndexStats();
  assert.equal(stats.namespaces[NS]?.recordCount ?? 0, 0);
});
