// The worker behind the Node CLI host's blocking `fetchAll`: it fetches a batch of URLs a few at a
// time (./fetch.js), posts the answers on the batch's port, then wakes the waiting main thread.

import { parentPort, workerData } from "node:worker_threads";
import { fetchAll } from "./fetch.js";

const signal = workerData.signal;

parentPort.on("message", async ({ requests, port }) => {
  // Whatever happens, the waiting main thread gets an answer for every request and is woken.
  let answers;
  try {
    answers = await fetchAll(fetch, requests);
  } catch (error) {
    answers = requests.map(({ url }) => ({ error: `fetching ${url}: ${error.message}` }));
  } finally {
    port.postMessage(answers);
    port.close();
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
});
