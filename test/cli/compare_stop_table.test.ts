/**
 * `rnnlab compare` stopped by Ctrl-C inside a model's epoch: the table row of that model shows its whole epochs with
 * the cut one marked, seconds per epoch and train accuracy over the whole epochs only (the cut epoch was timed short
 * and its accuracy is of the batches it got), as the record's cancellation counts them. In process, on a synthetic
 * tarball: the test calls the SIGINT handler compare installed, as a terminal's Ctrl-C would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { percent, seconds } from '../../src/report/table.js';
import { schemaProblems, syntheticImdb } from './helpers.js';

const fx = syntheticImdb('rnnlab-compare-stop-table-');

describe('rnnlab compare, Ctrl-C inside an epoch', () => {
  it('the stopped model\'s row counts whole epochs, marks the cut one and times and scores the whole ones', async () => {
    const out = join(fx.root, 'run');
    const before = process.listeners('SIGINT');
    let text = '', pressed = false;
    const write = (s: string) => {
      text += s;
      // lstm's second epoch has begun: the stop is seen after its first batch, so the epoch is cut.
      if (!pressed && /\[2\/2\] lstm[\s\S]*Epoch 2\/3/.test(text)) {
        pressed = true;
        for (const l of process.listeners('SIGINT').filter((x) => !before.includes(x))) (l as () => void)();
      }
      return true;
    };
    const code = await main(['compare', '--models', 'cnn,lstm', '--data', fx.tar, '--vocab', '60', '--maxlen', '12', '--units', '4', '--embedding-dim', '4',
      '--batch-size', '8', '--epochs', '3', '--verbose', '2', '--threads', '1', '--out', out], { out: { write }, err: { write } });
    expect(pressed).toBe(true);
    expect(code).toBe(130);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(schemaProblems(res)).toEqual([]);
    expect(res.cancellation).toEqual({ afterEpochs: 1, partialLastEpoch: true });
    const [cnn, lstm] = res.models;
    expect(lstm.history.loss).toHaveLength(2);
    expect(lstm.secondsPerEpoch).toHaveLength(2);

    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(res.details.comparison[0]).toMatchObject({ model: 'cnn', epochs: 3, secondsPerEpoch: mean(cnn.secondsPerEpoch), trainAccuracy: cnn.history.accuracy[2] });
    expect(res.details.comparison[0].partialLastEpoch).toBeUndefined();
    expect(res.details.comparison[1]).toMatchObject({ model: 'lstm', epochs: 1, partialLastEpoch: true, secondsPerEpoch: lstm.secondsPerEpoch[0], trainAccuracy: lstm.history.accuracy[0] });

    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(text).toMatch(new RegExp(`^cnn +[\\d,]+ +3 +8 +${esc(seconds(mean(cnn.secondsPerEpoch)))} +${esc(percent(cnn.history.accuracy[2]))} +\\d+\\.\\d\\d%$`, 'm'));
    expect(text).toMatch(new RegExp(`^lstm +[\\d,]+ +1 \\+ partial +8 +${esc(seconds(lstm.secondsPerEpoch[0]))} +${esc(percent(lstm.history.accuracy[0]))} +n/a$`, 'm'));
    expect(res.tables[0].rows[1].slice(2, 6)).toEqual(['1 + partial', 8, seconds(lstm.secondsPerEpoch[0]), percent(lstm.history.accuracy[0])]);
  }, 120_000);
});
