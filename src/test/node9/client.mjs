// The TypeScript SDK 9.x client for the server under test (see ../node/server-env.mjs), a bounded
// poll, and the data-plane client of an index resolved by describe_index.

import { Pinecone } from '@pinecone-database/pinecone';
import { clientFactory } from '../node/server-env.mjs';

export { url, apiKey, suffix } from '../node/server-env.mjs';
export const client = clientFactory(Pinecone);

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
