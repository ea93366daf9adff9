/**
 * The process one dashboard job trains in (started by job_process.ts with an IPC channel): it waits for the job,
 * trains it through trainJob with hooks that report every phase, batch and epoch to the server, saves the trained
 * model into the run folder, and reports the outcome (and whether the model was saved), or the error. The server then
 * sends the run's final record and report: this process renders report.html and report.png (a second or more of
 * SVG and PNG work for a long run, which would hold up the server's event loop), writes results.json last, and
 * ends. A process started for a render only (the training one crashed) gets that message first. A cancel from the
 * server stops training after the current batch (or ends the batch pause at once); a server that goes away takes it along.
 */
import type { TrainHooks } from '../experiments/train_hooks.js';
import type { FromChild, ToChild } from './job_process.js';
import { writeFinalRecord } from './final_record.js';
import { saveJobModel } from './model_io.js';
import { JobCancelled, SAVING_PHASE, trainJob } from './train.js';

const abort = new AbortController();
let batchDelayMs = 0;
/** The SIGINT, SIGTERM or SIGHUP that stopped training when it came before any cancel of the server's (the server decides what that means). */
let stoppedBy: NodeJS.Signals | null = null;

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
  let fitStart = performance.now();
  // Timed here, where the work is done: the server replays these messages later than they happen.
  const elapsed = () => (performance.now() - fitStart) / 1000;
  const hooks: TrainHooks = {
    signal: abort.signal,
    onPhase: (text) => void send({ type: 'phase', text }),
    onTrainBegin: (info) => {
      fitStart = performance.now();
      void send({ type: 'trainBegin', info });
    },
    onBatchEnd: async (epoch, batch, logs) => {
      void send({ type: 'batch', epoch, batch, logs, elapsed: elapsed() });
      if (batchDelayMs > 0 && !abort.signal.aborted) await pause(batchDelayMs);
    },
    onTrainingEnd: () => void send({ type: 'trainingEnded' }),
    onHistograms: (epoch, weights) => void send({ type: 'histograms', epoch, weights }),
    onSamples: (epoch, samples) => void send({ type: 'samples', epoch, samples }),
    onEpochEnd: (epoch, logs, seconds) => void send({ type: 'epochEnd', epoch, logs, seconds, elapsed: elapsed() }),
  };
  let last: FromChild;
  try {
    const { model, ...outcome } = await trainJob(m.config, hooks, m.dataPath);
    let saved: Extract<FromChild, { type: 'done' }>['saved'] = { modelSaved: false };
    if (!outcome.cancelled) {
      void send({ type: 'phase', text: SAVING_PHASE });
      try {
        await saveJobModel(m.runDir, m.config, model, outcome.meta, outcome.metrics);
        saved = { modelSaved: true };
      } catch (e) {
        saved = { modelSaved: false, modelError: (e as Error).message };
      }
    }
    last = { type: 'done', outcome, saved, ...(outcome.cancelled && stoppedBy ? { signal: stoppedBy } : {}) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    last = { type: 'failed', name: err.name, message: err.message, ...(err instanceof JobCancelled && stoppedBy ? { signal: stoppedBy } : {}) };
  }
  // The server answers with the record to write (render below); until then the model stays in memory, briefly.
  await send(last);
}

/**
 * Writes the run's reports and then its record. When the reports cannot be written, the record still is, saying
 * why (reportError); what comes back is why even the record could not be written, or null.
 */
async function render(m: Extract<ToChild, { type: 'render' }>): Promise<void> {
  await send({ type: 'rendered', unwritten: writeFinalRecord(m.runDir, m.record, m.doc) });
  process.exit(0);
}

process.on('message', (m: ToChild) => {
  if (m.type === 'start') void run(m);
  else if (m.type === 'render') void render(m);
  else if (m.type === 'cancel') abort.abort();
  else {
    batchDelayMs = m.ms;
    endPause?.();
  }
});
// A process started to write a report waits for this before it sends the record.
void send({ type: 'ready' });
// The server is gone: nothing would record what this job does.
process.on('disconnect', () => process.exit(1));
// A Ctrl-C in the terminal reaches the server's whole process group, this process too: stop as a cancel does, so the
// server, which cancels its jobs on the same signal, still gets the job's result and leaves a cancelled run folder.
// The result names the signal: one that reached this process alone is no cancel, and the server fails the job.
// A closed terminal's SIGHUP reaches the group as Ctrl-C does, and the server stops on it too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!abort.signal.aborted) stoppedBy = signal;
    abort.abort();
  });
}
