// What every SDK test file needs to reach the server under test, whatever SDK version it drives: the
// server's address and key from the environment, a Pinecone client factory (tracing every HTTP
// exchange when CONIFER_HTTP_TRACE is set), and a suffix that makes names unique, so the tests can also
// run against a server that holds other indexes. Each SDK version's client.mjs passes in its own
// Pinecone class, since each version is installed in its own directory (src/test/node, src/test/node9).

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

/** A `client(key?)` function making clients of the given SDK's Pinecone class for this server. */
export function clientFactory(Pinecone) {
  return (key = apiKey) => new Pinecone({
    apiKey: key,
    controllerHostUrl: url,
    ...(process.env.CONIFER_HTTP_TRACE ? { fetchApi: tracingFetch } : {}),
  });
}

export const suffix = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
