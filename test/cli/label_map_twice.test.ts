/** evaluate --label-map naming one label twice is refused (one mapping would be silently dropped), before the model is read. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(() => cleanup());

describe('evaluate --label-map', () => {
  it('refuses a label mapped twice, naming it and both classes, exit 2', async () => {
    const dir = tempDir('rnnlab-label-map-');
    const r = await run(['evaluate', '--model', path.join(dir, 'none'), '--data', path.join(dir, 'none.csv'), '--label-map', '0=neg,1=pos,0=pos']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab evaluate: error: --label-map maps the label '0' twice \(to 'neg' and 'pos'\); give it once\n/);
    expect(r.out).toBe('');
  });
});
