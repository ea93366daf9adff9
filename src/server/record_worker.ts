/**
 * Parses and checks one large results.json off the server's thread (record_reader.ts starts it): receives the file's
 * bytes, answers what was asked of the record (its outline, or the record as a run's page serves it) or why it is
 * refused, and ends.
 */
import { parentPort } from 'node:worker_threads';
import { checkRecordText, outlineOf, servedOf, type WorkerAsk, type WorkerVerdict } from './record_reader.js';

parentPort?.once('message', (ask: WorkerAsk) => {
  const checked = checkRecordText(Buffer.from(ask.bytes).toString('utf8'));
  if ('error' in checked) {
    parentPort?.postMessage(checked satisfies WorkerVerdict);
  } else if (ask.want === 'outline') {
    parentPort?.postMessage({ outline: outlineOf(checked.record) } satisfies WorkerVerdict);
  } else {
    const { light, json } = servedOf(checked.record, ask.folders);
    // A copy of its own, handed over whole rather than cloned (the bytes are most of the record).
    const out = new Uint8Array(json.length);
    out.set(json);
    parentPort?.postMessage({ light, json: out.buffer } satisfies WorkerVerdict, [out.buffer]);
  }
  parentPort?.close();
});
