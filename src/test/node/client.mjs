// The TypeScript SDK 8.x client for the server under test (see server-env.mjs).

import { Pinecone } from '@pinecone-database/pinecone';
import { clientFactory } from './server-env.mjs';

export { url, apiKey, suffix } from './server-env.mjs';
export const client = clientFactory(Pinecone);
