// What both SDK test files need to reach the server under test: its address and key from the
// environment, a Pinecone client (tracing every HTTP exchange when CONIFER_HTTP_TRACE is set), and a
// suffix that makes names unique, so the tests can also run against a server that holds other indexes.

import { Pinecone } from '@pinecone-database/pinecone';

export const url = process.env.CONIFER_URL;
export const apiKey = process.env.CONIFER_API_KEY;
if (!url || !apiKey) {
  throw new Error('Set CONIFER_URL (control-plane URL, e.g. http://localhost:5080) and CONIFER_API_KEY');
}

/** A fetch that logs each exchange, for diagnosing wire incompatibilities. */
async function tracingFetch(input, init = {}) {
  const res = await fetch(input, init);
  const body = await res.clone().text();
  const sent = typeof init.body === 'string' ? init.body : init.body ? '<binary>' : '';
  console.log(`HTTP ${init.method ?? 'GET'} ${input} ${sent}\n  -> ${res.status} ${body}`);
  return res;
}

export function client(key = apiKey) {
  return new Pinecone({
    apiKey: key,
    controllerHostUrl: url,
    ...(process.env.CONIFER_HTTP_TRACE ? { fetchApi: tracingFetch } : {}),
  });
}

export const suffix = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
