// --optimizer adamw: Keras 3's AdamW (Adam with weight decay 0.004) on the training commands.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, readResults, run, tempDir } from './helpers.js';

afterAll(cleanup);

const TINY = ['addition', '--digits', '1', '--training-size', '40', '--epochs', '2', '--hidden', '4', '--verbose', '0', '--lr', '0.5'];

describe('rnnlab addition --optimizer adamw', () => {
  it('trains with the weight decay: the same seed gives other losses than adam, recorded as adamw', async () => {
    const root = tempDir();
    const adam = await run([...TINY, '--optimizer', 'adam', '--out', path.join(root, 'adam')]);
    const adamw = await run([...TINY, '--optimizer', 'adamw', '--out', path.join(root, 'adamw')]);
    const again = await run([...TINY, '--optimizer', 'adamw', '--out', path.join(root, 'again')]);
    for (const r of [adam, adamw, again]) expect(r.code, r.err).toBe(0);
    const loss = (dir: string) => readResults(path.join(root, dir)).models[0].history.loss as number[];
    expect(readResults(path.join(root, 'adamw')).config.optimizer).toBe('adamw');
    expect(loss('adamw')).toEqual(loss('again'));
    expect(loss('adamw')[1]).not.toBe(loss('adam')[1]);
    expect(loss('adamw').every(Number.isFinite)).toBe(true);
  });

  it('lists adamw among the choices and refuses an optimizer it does not offer', async () => {
    const r = await run([...TINY, '--optimizer', 'lion', '--out', path.join(tempDir(), 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--optimizer.*adam, rmsprop, sgd, adamw|adam\|rmsprop\|sgd\|adamw/);
  });
});
