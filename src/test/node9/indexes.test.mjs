// Indexes through the official TypeScript SDK 9.0.0 (API 2026-07): pc.indexes.create / describe /
// list / configure / delete with the 2026-07 schema + deployment, the legacy flat options the SDK
// translates, and the errors it maps. Run by NodeSdk9Test (src/test/java/io/conifer), or by hand:
//   CONIFER_URL=http://localhost:5080 CONIFER_API_KEY=... node --test src/test/node9/indexes.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '@pinecone-database/pinecone';
import { client, suffix } from './client.mjs';

const pc = client();
const DENSE = `ix-dense-${suffix}`;
const LEGACY = `ix-legacy-${suffix}`;
const SPARSE = `ix-sparse-${suffix}`;
const DOCS = `ix-docs-${suffix}`;
const created = [DENSE, LEGACY, SPARSE];

after(async () => {
  for (const name of [...created, DOCS]) {
    try {
      await pc.indexes.configure(name, { deletionProtection: 'disabled' });
      await pc.indexes.delete(name);
    } catch {
      // already gone
    }
  }
});

test('create from a schema with the default deployment, then describe it', async () => {
  const model = await pc.indexes.create({
    name: DENSE,
    schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'cosine' } } },
    tags: { team: 'search' },
  });
  assert.equal(model.name, DENSE);
  assert.equal(model.deployment.deploymentType, 'managed');
  assert.equal(model.deployment.cloud, 'aws');
  assert.equal(model.deployment.region, 'us-east-1');
  assert.equal(model.schema.fields._values.type, 'dense_vector');
  assert.equal(model.schema.fields._values.dimension, 4);
  assert.equal(model.schema.fields._sparse_values.type, 'sparse_vector');
  assert.equal(model.readCapacity.mode, 'OnDemand');
  assert.equal(model.deletionProtection, 'disabled');
  assert.deepEqual(model.tags, { team: 'search' });
  assert.match(model.host, /^http:\/\/localhost:\d+$/);
  // The SDK's legacy accessors read the reserved fields.
  assert.equal(model.dimension, 4);
  assert.equal(model.metric, 'cosine');
  assert.equal(model.vectorType, 'dense');
  assert.equal(model.spec.serverless.cloud, 'aws');

  const described = await pc.indexes.describe(DENSE);
  assert.equal(described.status.ready, true);
  assert.equal(described.status.state, 'Ready');
  assert.equal(described.dimension, 4);
});

test('legacy flat options are translated by the SDK and served as the same vector index', async () => {
  const model = await pc.createIndex({
    name: LEGACY,
    dimension: 3,
    metric: 'euclidean',
    spec: { serverless: { cloud: 'gcp', region: 'us-central1' } },
    waitUntilReady: true,
  });
  assert.equal(model.metric, 'euclidean');
  assert.equal(model.deployment.cloud, 'gcp');
  const sparse = await pc.indexes.create({
    name: SPARSE,
    schema: { fields: { _sparse_values: { type: 'sparse_vector' } } },
    deletionProtection: 'enabled',
  });
  assert.equal(sparse.vectorType, 'sparse');
  assert.equal(sparse.metric, 'dotproduct');
  assert.equal(sparse.tags ?? null, null);

  const list = await pc.indexes.list();
  const names = list.indexes.map((i) => i.name);
  for (const name of created) assert.ok(names.includes(name), `${name} listed`);
  for (const i of list.indexes) assert.ok(i.deployment && i.schema, JSON.stringify(i));
});

test('configure answers with the updated index', async () => {
  const model = await pc.indexes.configure(DENSE, {
    deletionProtection: 'enabled',
    tags: { team: '', env: 'prod' },
    readCapacity: { mode: 'Dedicated', dedicated: { nodeType: 't1', scaling: 'Manual', manual: { replicas: 1, shards: 1 } } },
  });
  assert.equal(model.deletionProtection, 'enabled');
  assert.deepEqual(model.tags, { env: 'prod' });
  assert.equal(model.readCapacity.mode, 'Dedicated');
  assert.equal(model.readCapacity.dedicated.nodeType, 't1');
  await assert.rejects(pc.indexes.delete(DENSE), (e) => /Deletion protection/.test(e.message));
  const off = await pc.indexes.configure(DENSE, { deletionProtection: 'disabled' });
  assert.equal(off.deletionProtection, 'disabled');
});

test('a document index: full-text fields with their options and a named vector field', async () => {
  const model = await pc.indexes.create({
    name: DOCS,
    schema: {
      fields: {
        body: { type: 'string', fullTextSearch: { language: 'fr', stemming: true, stopWords: true } },
        sku: { type: 'string', fullTextSearch: { ngram: { minGram: 2, maxGram: 3, prefixOnly: true } } },
        embedding: { type: 'dense_vector', dimension: 3, metric: 'cosine' },
      },
    },
  });
  assert.equal(model.name, DOCS);
  const described = await pc.indexes.describe(DOCS);
  const body = described.schema.fields.body;
  assert.equal(body.type, 'string');
  assert.equal(body.fullTextSearch.language, 'fr');
  assert.equal(body.fullTextSearch.stemming, true);
  assert.equal(body.fullTextSearch.stopWords, true);
  assert.deepEqual(described.schema.fields.sku.fullTextSearch.ngram, { minGram: 2, maxGram: 3, prefixOnly: true });
  assert.equal(described.schema.fields.sku.fullTextSearch.stemming, false);
  assert.equal(described.schema.fields.embedding.dimension, 3);
  assert.ok((await pc.indexes.list()).indexes.some((i) => i.name === DOCS));
});

test('errors: conflicts, bad requests, document indexes, missing indexes', async () => {
  await assert.rejects(
    pc.indexes.create({ name: DENSE, schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'cosine' } } } }),
    Errors.PineconeConflictError,
  );
  await assert.rejects(
    pc.indexes.create({ name: `ix-nodocs-${suffix}`, schema: { fields: { body: { type: 'string', fullTextSearch: { language: 'xx' } } } } }),
    (e) => e instanceof Errors.PineconeBadRequestError && /unsupported language 'xx'/.test(e.message) && /fr \(french\)/.test(e.message),
  );
  await assert.rejects(
    pc.indexes.create({ name: `ix-mixed-${suffix}`, schema: { fields: { _values: { type: 'dense_vector', dimension: 2, metric: 'cosine' }, other: { type: 'sparse_vector' } } } }),
    (e) => e instanceof Errors.PineconeBadRequestError && /whole schema/.test(e.message),
  );
  await assert.rejects(pc.indexes.describe(`ix-nodocs-${suffix}`), Errors.PineconeNotFoundError);
  await assert.rejects(pc.indexes.describe(`ix-missing-${suffix}`), Errors.PineconeNotFoundError);
});

test('delete removes the index', async () => {
  await pc.indexes.configure(SPARSE, { deletionProtection: 'disabled' });
  await pc.indexes.delete(SPARSE);
  await assert.rejects(pc.indexes.describe(SPARSE), Errors.PineconeNotFoundError);
});
