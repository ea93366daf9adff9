/** A real two-run sweep (rnnlab sweep's local pool on a tiny learnable tarball), written into a runs folder. */
import path from 'node:path';
import { runSweepLocal } from '../../src/sweep/pool.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { learnableTarball } from '../sweep/helpers.js';

export async function writeSmallSweep(runsDir: string, name: string, scratch: string): Promise<string> {
  // The sweep's runs fork dist/cli/sweep_child.js while the pool here is src/: both must be the same code.
  assertDistFresh('cli/sweep_child.ts');
  const data = learnableTarball(scratch);
  const saved = process.env.RNNLAB_CACHE;
  process.env.RNNLAB_CACHE = path.join(scratch, 'cache');
  try {
    const spec = parseSpec(`command: imdb
flags: { data: ${JSON.stringify(data)}, limit: 120, epochs: 2, maxlen: 12, vocab: 2000, embedding_dim: 8, batch_size: 16 }
grid: { model: [lstm, gru] }
seeds: [1]
metric: test_accuracy
`);
    const dir = path.join(runsDir, name);
    await runSweepLocal(spec, { dir, parallel: 1, threads: 2 });
    return dir;
  } finally {
    if (saved === undefined) delete process.env.RNNLAB_CACHE;
    else process.env.RNNLAB_CACHE = saved;
  }
}
