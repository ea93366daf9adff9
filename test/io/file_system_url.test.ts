/** rl.io.fileSystem(path) names that folder whatever characters it holds ('#', '?', '%' are not URL parts there). */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-fs-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('saves into and loads from folders named with #, ? and %', async () => {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  for (const name of ['a#b', 'q?x', 'p%41q', 'sp ace']) {
    const out = join(dir, name);
    await m.save(rl.io.fileSystem(out));
    expect(existsSync(join(out, 'model.json'))).toBe(true);
    const back = await rl.loadLayersModel(rl.io.fileSystem(join(out, 'model.json')));
    expect(back.countParams()).toBe(3);
  }
});
