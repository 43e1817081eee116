// What the SDK 9.x test files need to reach the server under test: its address and key from the
// environment, a Pinecone client (tracing every HTTP exchange when CONIFER_HTTP_TRACE is set), a
// suffix that makes names unique, and a bounded poll.

import { Pinecone } from '@pinecone-database/pinecone';

export const url = process.env.CONIFER_URL;
export const apiKey = process.env.CONIFER_API_KEY;
if (!url || !apiKey) {
  throw new Error('Set CONIFER_URL (control-plane URL, e.g. http://localhost:5080) and CONIFER_API_KEY');
}

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

/** Calls `probe` every 50 ms until it returns a value other than undefined, for at most `ms`. */
export async function poll(what, probe, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The data-plane client of an index, at the host describe_index gives (with its http:// scheme). */
export async function dataPlane(pc, name) {
  const model = await pc.indexes.describe(name);
  return pc.index({ host: model.host });
}
