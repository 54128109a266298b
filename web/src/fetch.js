// Fetching for the dependency resolver, shared by the JS API (./index.js) and the Node CLI's
// blocking fetch worker (./fetch-worker.js): one answer per request, in parallel lanes.

/** How many requests run at once. */
export const PARALLEL = 8;
/** A request that takes longer fails. */
export const TIMEOUT_MS = 10 * 60 * 1000;

const inBrowser = typeof process === "undefined" || !process.versions?.node;

/**
 * Fetches a request of the resolver, `{ url, accept?, authorization? }` (the headers to send),
 * with `fetchImpl` (a `fetch`): the bytes, `null` for a 404 or 410, or `{ error }` with a
 * message that names the URL (in a browser a failed request is most often a server that sends no
 * CORS headers, and the message says so).
 */
export async function fetchOne(fetchImpl, { url, accept, authorization }) {
  const headers = {};
  if (accept) headers.Accept = accept;
  if (authorization) headers.Authorization = authorization;
  try {
    const response = await fetchImpl(url, {
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status === 404 || response.status === 410) return null;
    if (response.status !== 200) return { error: `fetching ${url}: HTTP status ${response.status}` };
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    const reason = error.cause?.message ?? error.message;
    const hint = inBrowser
      ? " (in a browser this most often means the server sends no CORS headers: it must answer" +
        " with Access-Control-Allow-Origin for this page's origin)"
      : "";
    return { error: `fetching ${url}: ${reason}${hint}` };
  }
}

/** Fetches every request, `PARALLEL` at a time: the answers in the requests' order. */
export async function fetchAll(fetchImpl, requests) {
  const answers = new Array(requests.length);
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const i = next++;
      answers[i] = await fetchOne(fetchImpl, requests[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, requests.length) }, lane));
  return answers;
}
