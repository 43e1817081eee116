// Document indexes through the official TypeScript SDK 9.0.0 (API 2026-07): create a document index
// with pc.indexes.create, then every index.documents operation (upsert, search by text / query_string /
// dense / sparse, fetch by ids and by filter, list, update, delete) on a small hand-labelled corpus whose
// right answers are known, stats and namespaces, and the errors the API defines. Run by NodeSdk9Test, or:
//   CONIFER_URL=http://localhost:5080 CONIFER_API_KEY=... node --test src/test/node9/documents.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { client, suffix } from './client.mjs';

const pc = client();
const DOCS = `docs-${suffix}`;
const VECTORS = `docs-vec-${suffix}`;
const NS = 'catalog';

// title: English with stemming and stop words; body: English words as written (no stemming).
const CORPUS = [
  { _id: 'd01', title: 'Waterproof trail running shoes', body: 'Lightweight shoes for running on muddy mountain trails, fully waterproof.',
    category: 'footwear', price: 120, tags: ['outdoor', 'running'], embedding: [1, 0, 0], keywords: { indices: [1, 5], values: [0.9, 0.1] } },
  { _id: 'd02', title: 'Classic leather boots', body: 'Leather boots for city walking in the winter.',
    category: 'footwear', price: 200, tags: ['city'], embedding: [0.9, 0.1, 0], keywords: { indices: [2], values: [1] } },
  { _id: 'd03', title: 'Running socks', body: 'Breathable socks that keep feet dry while running long distances.',
    category: 'apparel', price: 15, tags: ['running'], embedding: [0, 1, 0], keywords: { indices: [1], values: [0.5] } },
  { _id: 'd04', title: 'Mountain tent', body: 'A waterproof tent for two people on mountain expeditions.',
    category: 'camping', price: 300, tags: ['outdoor'], embedding: [0, 0, 1], keywords: { indices: [5], values: [0.8] } },
  { _id: 'd05', title: 'Trail map of the Alps', body: 'Paper map of hiking trails in the Alps.',
    category: 'books', price: 20, tags: ['outdoor'], embedding: [0.1, 0, 0.9], keywords: { indices: [3], values: [0.7] } },
];

let docs; // index.documents of NS
let index;

const ids = (matches) => matches.map((m) => m._id);
const sorted = (xs) => [...xs].sort();

before(async () => {
  const model = await pc.indexes.create({
    name: DOCS,
    schema: {
      fields: {
        title: { type: 'string', fullTextSearch: { language: 'en', stemming: true, stopWords: true } },
        body: { type: 'string', fullTextSearch: { language: 'en' } },
        embedding: { type: 'dense_vector', dimension: 3, metric: 'cosine' },
        keywords: { type: 'sparse_vector' },
      },
    },
  });
  assert.equal(model.schema.fields.title.type, 'string');
  assert.equal(model.schema.fields.embedding.dimension, 3);
  index = pc.index({ host: model.host, namespace: NS });
  docs = index.documents;
  const up = await docs.upsert({ documents: CORPUS });
  assert.equal(up.upsertedCount, CORPUS.length);
});

after(async () => {
  for (const name of [DOCS, VECTORS]) {
    try {
      await pc.indexes.delete(name);
    } catch {
      // already gone
    }
  }
});

test('fetch by ids returns every field by default, only the named ones with includeFields', async () => {
  const all = await docs.fetch({ ids: ['d01', 'd04', 'missing'] });
  assert.deepEqual(sorted(Object.keys(all.documents)), ['d01', 'd04']);
  assert.equal(all.namespace, NS);
  const d01 = all.documents.d01;
  assert.equal(d01.title, CORPUS[0].title);
  assert.equal(d01.body, CORPUS[0].body);
  assert.equal(d01.category, 'footwear');
  assert.equal(d01.price, 120);
  assert.deepEqual(d01.tags, ['outdoor', 'running']);
  assert.deepEqual(d01.embedding, [1, 0, 0]);
  assert.deepEqual(d01.keywords.indices, [1, 5]);
  assert.ok(Math.abs(d01.keywords.values[0] - 0.9) < 1e-6);
  assert.ok(all.usage.readUnits >= 1);

  const some = await docs.fetch({ ids: ['d02'], includeFields: ['title', 'price'] });
  assert.deepEqual(some.documents.d02, { _id: 'd02', title: 'Classic leather boots', price: 200 });
  const star = await docs.fetch({ ids: ['d02'], includeFields: ['*'] });
  assert.equal(star.documents.d02.body, CORPUS[1].body);
});

test('text search ranks by BM25 over the named fields; no fields come back unless asked for', async () => {
  const res = await docs.search({ scoreBy: [{ type: 'text', fields: ['body'], query: 'waterproof' }], topK: 10 });
  assert.deepEqual(sorted(ids(res.matches)), ['d01', 'd04']);
  for (const m of res.matches) {
    assert.equal(typeof m._score, 'number');
    assert.ok(m._score > 0);
    assert.equal(m.title, undefined, 'search returns no fields without includeFields');
  }
  assert.equal(res.namespace, NS);
  assert.ok(res.usage.readUnits >= 1);

  // A shorter document with the same term frequency ranks first (BM25 length normalisation).
  const tent = await docs.search({ scoreBy: [{ type: 'text', fields: ['body'], query: 'waterproof tent' }], topK: 1,
    includeFields: ['title'] });
  assert.deepEqual(tent.matches.map((m) => [m._id, m.title]), [['d04', 'Mountain tent']]);

  // Stemming is on for title, off for body: "run" finds the running titles, and no body.
  const stemmed = await docs.search({ scoreBy: [{ type: 'text', fields: ['title'], query: 'run' }], topK: 10 });
  assert.deepEqual(sorted(ids(stemmed.matches)), ['d01', 'd03']);
  const unstemmed = await docs.search({ scoreBy: [{ type: 'text', fields: ['body'], query: 'run' }], topK: 10 });
  assert.deepEqual(ids(unstemmed.matches), []);

  // Several fields are scored together: the document matching in both ranks first.
  const both = await docs.search({ scoreBy: [{ type: 'text', fields: ['title', 'body'], query: 'trail running' }], topK: 3 });
  assert.equal(both.matches[0]._id, 'd01');
  const all = await docs.search({ scoreBy: [{ type: 'text', fields: ['body'], query: 'map' }], topK: 5, includeFields: ['*'] });
  assert.equal(all.matches[0].category, 'books');
});

test('query_string: field targeting, boolean operators, phrases and prefixes', async () => {
  const q = async (query) => sorted(ids((await docs.search({ scoreBy: [{ type: 'query_string', query }], topK: 10 })).matches));
  assert.deepEqual(await q('body:(running) AND NOT title:socks'), ['d01']);
  assert.deepEqual(await q('body:"mountain trails"'), ['d01']);
  assert.deepEqual(await q('body:"trails mountain"'), []);
  assert.deepEqual(await q('body:expedit*'), ['d04']);
  assert.deepEqual(await q('leather OR tent'), ['d02', 'd04']);
});

test('dense and sparse vector fields are searched by their own metric', async () => {
  const dense = await docs.search({ scoreBy: [{ type: 'dense_vector', fields: ['embedding'], values: [1, 0, 0] }], topK: 2 });
  assert.deepEqual(ids(dense.matches), ['d01', 'd02']);
  assert.ok(Math.abs(dense.matches[0]._score - 1) < 1e-5, 'cosine of identical vectors');

  const sparse = await docs.search({
    scoreBy: [{ type: 'sparse_vector', fields: ['keywords'], sparseValues: { indices: [1], values: [1] } }], topK: 5,
  });
  assert.deepEqual(ids(sparse.matches), ['d01', 'd03']);
  assert.ok(Math.abs(sparse.matches[0]._score - 0.9) < 1e-5);
});

test('search filters: $match_phrase respects order, $match_all and $match_any, with metadata operators', async () => {
  const near = (filter) => docs.search({
    scoreBy: [{ type: 'dense_vector', fields: ['embedding'], values: [1, 0, 0] }], topK: 10, filter,
  }).then((r) => sorted(ids(r.matches)));
  assert.deepEqual(await near({ body: { $match_phrase: 'mountain trails' } }), ['d01']);
  assert.deepEqual(await near({ body: { $match_phrase: 'trails mountain' } }), []);
  assert.deepEqual(await near({ body: { $match_all: 'waterproof trails' } }), ['d01']);
  assert.deepEqual(await near({ body: { $match_any: 'tent socks' } }), ['d03', 'd04']);
  assert.deepEqual(await near({ $and: [{ body: { $match_any: 'tent socks boots' } }, { price: { $lt: 250 } }] }),
    ['d02', 'd03']);
  assert.deepEqual(await near({ category: { $eq: 'footwear' } }), ['d01', 'd02']);
  assert.deepEqual(await near({ tags: { $in: ['city'] } }), ['d02']);
});

test('fetch by filter pages with limit and paginationToken', async () => {
  const seen = [];
  let token;
  let pages = 0;
  do {
    const page = await docs.fetch({ filter: { tags: { $in: ['outdoor'] } }, limit: 2, includeFields: ['category'],
      ...(token ? { paginationToken: token } : {}) });
    pages++;
    for (const [id, d] of Object.entries(page.documents)) {
      seen.push(id);
      assert.deepEqual(Object.keys(d).sort(), ['_id', 'category']);
    }
    token = page.pagination?.next;
  } while (token);
  assert.deepEqual(sorted(seen), ['d01', 'd04', 'd05']);
  assert.equal(pages, 2);
  // Fetch, like search, may select by a text match.
  const phrase = await docs.fetch({ filter: { body: { $match_phrase: 'mountain trails' } } });
  assert.deepEqual(Object.keys(phrase.documents), ['d01']);
});

test('list pages ids in bitwise order, with a prefix', async () => {
  const first = await docs.list({ limit: 3 });
  assert.deepEqual(first.documents.map((d) => d._id), ['d01', 'd02', 'd03']);
  assert.ok(first.pagination?.next);
  const second = await docs.list({ paginationToken: first.pagination.next });
  assert.deepEqual(second.documents.map((d) => d._id), ['d04', 'd05']);
  assert.equal(second.pagination, undefined);
  const prefixed = await docs.list({ prefix: 'd0', limit: 100 });
  assert.equal(prefixed.documents.length, 5);
  assert.deepEqual((await docs.list({ prefix: 'x' })).documents, []);
});

test('stats and namespaces describe a document index', async () => {
  const stats = await index.describeIndexStats();
  assert.equal(stats.namespaces[NS].recordCount, CORPUS.length);
  const namespaces = await index.listNamespaces();
  assert.ok(namespaces.namespaces.some((n) => n.name === NS));
});

test('update per id sets and removes fields; by filter reports matched records', async () => {
  const scratch = pc.index({ host: (await pc.indexes.describe(DOCS)).host, namespace: 'scratch' }).documents;
  await scratch.upsert({ documents: CORPUS });
  const r = await scratch.update({ documents: [
    { _id: 'd01', title: 'Featherweight racing flats', _remove_fields: ['tags'] },
    { _id: 'nobody', title: 'ignored' },
  ] });
  assert.equal(r.matchedRecords, undefined);
  const d01 = (await scratch.fetch({ ids: ['d01', 'nobody'] })).documents;
  assert.deepEqual(Object.keys(d01), ['d01']);
  assert.equal(d01.d01.title, 'Featherweight racing flats');
  assert.equal(d01.d01.tags, undefined);
  assert.equal(d01.d01.body, CORPUS[0].body, 'fields not named are unchanged');
  // The new title is searchable, the old one is not.
  const flats = await scratch.search({ scoreBy: [{ type: 'text', fields: ['title'], query: 'racing' }], topK: 5 });
  assert.deepEqual(ids(flats.matches), ['d01']);
  const old = await scratch.search({ scoreBy: [{ type: 'text', fields: ['title'], query: 'waterproof' }], topK: 5 });
  assert.deepEqual(ids(old.matches), []);

  const byFilter = await scratch.update({ filter: { category: { $eq: 'footwear' } }, setFields: { category: 'shoes' },
    removeFields: ['price'] });
  assert.equal(byFilter.matchedRecords, 2);
  const after = (await scratch.fetch({ filter: { category: { $eq: 'shoes' } } })).documents;
  assert.deepEqual(sorted(Object.keys(after)), ['d01', 'd02']);
  for (const d of Object.values(after)) assert.equal(d.price, undefined);
});

test('delete by ids, by filter (with matched records) and all', async () => {
  const scratch = pc.index({ host: (await pc.indexes.describe(DOCS)).host, namespace: 'doomed' }).documents;
  await scratch.upsert({ documents: CORPUS });
  await scratch.delete({ ids: ['d01'] });
  const byFilter = await scratch.delete({ filter: { category: { $eq: 'footwear' } } });
  assert.equal(byFilter.matchedRecords, 1);
  assert.deepEqual((await scratch.list()).documents.map((d) => d._id), ['d03', 'd04', 'd05']);
  await scratch.delete({ deleteAll: true });
  assert.deepEqual((await scratch.list()).documents, []);
  // Text-match operators select nothing in a delete: the API refuses them, and nothing changes.
  await assert.rejects(docs.delete({ filter: { body: { $match_phrase: 'mountain trails' } } }),
    (e) => e instanceof Errors.PineconeBadRequestError && /supported only in search/.test(e.message));
  await assert.rejects(docs.update({ filter: { body: { $match_all: 'tent' } }, setFields: { category: 'x' } }),
    (e) => e instanceof Errors.PineconeBadRequestError && /supported only in search/.test(e.message));
  assert.equal(Object.keys((await docs.fetch({ ids: ['d01', 'd04'] })).documents).length, 2);
});

test('bad documents are refused whole, naming the field', async () => {
  await assert.rejects(docs.upsert({ documents: [{ _id: 'bad1', title: 42 }] }),
    (e) => e instanceof Errors.PineconeBadRequestError && /title/.test(e.message) && /string/.test(e.message));
  await assert.rejects(docs.upsert({ documents: [{ _id: 'ok', title: 'fine' }, { _id: 'bad2', embedding: [1, 0] }] }),
    (e) => e instanceof Errors.PineconeBadRequestError && /dimension/.test(e.message));
  await assert.rejects(docs.upsert({ documents: [{ _id: 'bad3', category: 'metadata only' }] }),
    (e) => e instanceof Errors.PineconeBadRequestError && /schema/.test(e.message));
  assert.deepEqual(Object.keys((await docs.fetch({ ids: ['ok', 'bad1', 'bad2', 'bad3'] })).documents), []);
  await assert.rejects(docs.search({ scoreBy: [{ type: 'text', fields: ['nope'], query: 'x' }], topK: 1 }),
    Errors.PineconeBadRequestError);
});

test('vector operations on a document index, and document operations on a vector index, name the right API', async () => {
  await assert.rejects(index.upsert({ records: [{ id: 'v', values: [1, 0, 0] }] }),
    (e) => e instanceof Errors.PineconeBadRequestError && /documents API/.test(e.message));
  await assert.rejects(index.query({ vector: [1, 0, 0], topK: 1 }),
    (e) => e instanceof Errors.PineconeBadRequestError && /documents API/.test(e.message));

  const model = await pc.indexes.create({
    name: VECTORS,
    schema: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'cosine' } } },
  });
  const vectors = pc.index({ host: model.host });
  await assert.rejects(vectors.documents.upsert({ documents: [{ _id: 'x', title: 'y' }] }),
    (e) => e instanceof Errors.PineconeBadRequestError && /vectors API/.test(e.message));
});
