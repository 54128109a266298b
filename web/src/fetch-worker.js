// The worker behind the Node CLI host's blocking `fetchAll`: it fetches a batch of URLs a few at a
// time, posts the answers on the batch's port, then wakes the waiting main thread.

import { parentPort, workerData } from "node:worker_threads";

const PARALLEL = 8;
// A request that takes longer fails (the main thread waits for the whole batch).
const TIMEOUT_MS = 10 * 60 * 1000;
const signal = workerData.signal;

/** One answer: the bytes, `null` for a 404 or 410, or `{ error }`. */
async function fetchOne({ url, accept }) {
  try {
    const response = await fetch(url, {
      headers: accept ? { Accept: accept } : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status === 404 || response.status === 410) return null;
    if (response.status !== 200) return { error: `fetching ${url}: HTTP status ${response.status}` };
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    return { error: `fetching ${url}: ${error.cause?.message ?? error.message}` };
  }
}

parentPort.on("message", async ({ requests, port }) => {
  // Whatever happens, the waiting main thread gets an answer for every request and is woken.
  let answers;
  try {
    answers = new Array(requests.length);
    let next = 0;
    const lane = async () => {
      while (next < requests.length) {
        const i = next++;
        answers[i] = await fetchOne(requests[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, requests.length) }, lane));
  } catch (error) {
    answers = requests.map(({ url }) => ({ error: `fetching ${url}: ${error.message}` }));
  } finally {
    port.postMessage(answers);
    port.close();
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
});
