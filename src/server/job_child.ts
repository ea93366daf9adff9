/**
 * The process one dashboard job trains in (started by job_process.ts with an IPC channel): it waits for the job,
 * trains it through trainJob with hooks that report every phase, batch and epoch to the server, saves the trained
 * model into the run folder, and ends with the outcome (and whether the model was saved), or the error. A cancel from the server stops it after the current
 * batch (or ends the batch pause at once); a server that goes away takes it along.
 */
import type { TrainHooks } from '../experiments/train_hooks.js';
import type { FromChild, ToChild } from './job_process.js';
import { saveJobModel } from './model_io.js';
import { trainJob } from './train.js';

const abort = new AbortController();
let batchDelayMs = 0;

function send(m: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send!(m, undefined, {}, () => resolve());
  });
}

/** Ends the batch pause in progress, if any. */
let endPause: (() => void) | null = null;

/** The pause after a batch (DashboardOptions.batchDelayMs), cut short by a cancel or a new pause length. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      abort.signal.removeEventListener('abort', done);
      endPause = null;
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort.signal.addEventListener('abort', done, { once: true });
    endPause = done;
  });
}

async function run(m: Extract<ToChild, { type: 'start' }>): Promise<void> {
  batchDelayMs = m.batchDelayMs;
  const hooks: TrainHooks = {
    signal: abort.signal,
    onPhase: (text) => void send({ type: 'phase', text }),
    onTrainBegin: (info) => void send({ type: 'trainBegin', info }),
    onBatchEnd: async (epoch, batch, logs) => {
      void send({ type: 'batch', epoch, batch, logs });
      if (batchDelayMs > 0 && !abort.signal.aborted) await pause(batchDelayMs);
    },
    onHistograms: (epoch, weights) => void send({ type: 'histograms', epoch, weights }),
    onSamples: (epoch, samples) => void send({ type: 'samples', epoch, samples }),
    onEpochEnd: (epoch, logs, seconds) => void send({ type: 'epochEnd', epoch, logs, seconds }),
  };
  let last: FromChild;
  try {
    const { model, ...outcome } = await trainJob(m.config, hooks, m.dataPath);
    let saved: Extract<FromChild, { type: 'done' }>['saved'] = { modelSaved: false };
    if (!outcome.cancelled) {
      void send({ type: 'phase', text: 'saving' });
      try {
        await saveJobModel(m.runDir, m.config, model, outcome.meta, outcome.metrics);
        saved = { modelSaved: true };
      } catch (e) {
        saved = { modelSaved: false, modelError: (e as Error).message };
      }
    }
    last = { type: 'done', outcome, saved };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    last = { type: 'failed', name: err.name, message: err.message };
  }
  await send(last);
  process.exit(0);
}

process.on('message', (m: ToChild) => {
  if (m.type === 'start') void run(m);
  else if (m.type === 'cancel') abort.abort();
  else {
    batchDelayMs = m.ms;
    endPause?.();
  }
});
// The server is gone: nothing would record what this job does.
process.on('disconnect', () => process.exit(1));
// A Ctrl-C in the terminal reaches the server's whole process group, this process too: stop as a cancel does, so the
// server, which cancels its jobs on the same signal, still gets the job's result and leaves a cancelled run folder.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => abort.abort());
