/**
 * The process one gradient measurement runs in (started by gradient_process.ts with an IPC channel): it loads each
 * model as the server's registry does (the run folder's saved model, or the seeded untrained one), measures the
 * reviews the server sent with gradientNorms, sends the series back and ends. A server that goes away takes it along.
 */
import type { FromGradientChild, ToGradientChild } from './gradient_process.js';
import { HttpError } from './http.js';
import { gradientNorms, measureBatch } from './inference.js';
import { ModelRegistry } from './models.js';
import { RunStore } from './runs.js';

function send(m: FromGradientChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send!(m, undefined, {}, () => resolve());
  });
}

async function measure(m: ToGradientChild): Promise<void> {
  let last: FromGradientChild;
  try {
    const models = new ModelRegistry(new RunStore(m.runsDir, m.maxModelParams));
    const series = [];
    const versions: (string | null)[] = [];
    for (const item of m.items) {
      const entry = await models.get(item.id, 'imdb');
      const meta = entry.meta as Extract<typeof entry.meta, { task: 'imdb' }>;
      const { x, y } = measureBatch(entry.model, item.rows, item.labels, meta.maxlen);
      series.push(gradientNorms(entry, x, y));
      versions.push(entry.version ?? null);
    }
    last = { type: 'done', series, versions };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    last = { type: 'failed', status: err instanceof HttpError ? err.status : null, message: err.message };
  }
  await send(last);
  process.exit(0);
}

process.on('message', (m: ToGradientChild) => {
  if (m.type === 'measure') void measure(m);
});
// The server sends the measurement once this process listens (a message sent earlier could be lost).
void send({ type: 'ready' });
process.on('disconnect', () => process.exit(1));
