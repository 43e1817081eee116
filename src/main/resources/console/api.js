// Every call carries the Api-Key header (so no other site can make one for the user: no CSRF; a server
// with no keys configured takes any value but still requires the header), and the key lives in
// sessionStorage only: gone with the tab, never in localStorage or a URL.
const KEY = 'conifer.apiKey';
const VERSION = '2025-10';

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

async function call(url, method, body, version) {
  const headers = { 'X-Pinecone-Api-Version': version };
  headers['Api-Key'] = session.key() ?? 'console';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `Cannot reach the server: ${e.message}`);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    // Control plane: {"error":{"code","message"},"status"}; data plane REST: {"code","message"}.
    const message = json?.error?.message ?? json?.message ?? (text || response.statusText);
    throw new ApiError(response.status, `${message} (HTTP ${response.status})`);
  }
  return json;
}

export const api = {
  get: (path, version = VERSION) => call(path, 'GET', undefined, version),
  post: (path, body, version = VERSION) => call(path, 'POST', body, version),
  patch: (path, body, version = VERSION) => call(path, 'PATCH', body, version),
  del: (path, version = VERSION) => call(path, 'DELETE', undefined, version),
  // An index's data plane lives on its own host (another origin; it answers CORS for the console).
  data: (host, path, body) => call(`${host}${path}`, 'POST', body, VERSION),
};

export const enc = encodeURIComponent;
