/** Loading a model.json whose layer class is not registered says how to register a custom class. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { ModelFormatError } from '../../src/io/errors.js';
import { deserializeLayer } from '../../src/layers/registry.js';
import type { Tensor } from '../../src/tensor.js';
import { removeDir, tempDir } from './helpers.js';

/** y = 2x: a custom layer registered only part-way through the test. */
class R12Doubler extends rl.layers.Layer {
  static override readonly className: string = 'R12Doubler';
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(2)); }
}

const root = tempDir('rnnlab-unreg-');
afterAll(() => removeDir(root));
const hint = /unknown layer class 'R12Doubler'; rnnlab reads .*\bDense\b.*; a custom layer class loads once registered: rl\.serialization\.registerClass\(MyLayer\)/;

describe('unregistered layer class', () => {
  it('Sequential: the error names the class, the known ones and rl.serialization.registerClass; registering makes it load', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), new R12Doubler({})] });
    const dir = join(root, 'seq');
    await m.save(`file://${dir}`);
    const err = await rl.loadLayersModel(`file://${dir}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(hint);
    expect((err as Error).message.match(/registerClass/g)).toHaveLength(1);
    rl.serialization.registerClass(R12Doubler);
    const back = await rl.loadLayersModel(`file://${dir}`);
    const x = rl.ones([1, 3]);
    expect(Array.from((back.predict(x) as Tensor).dataSync())).toEqual(Array.from((m.predict(x) as Tensor).dataSync()));
  });

  it('Functional and a wrapped layer carry the same hint', async () => {
    const inp = rl.input({ shape: [4, 3] });
    const out = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }) }).apply(inp) as rl.SymbolicTensor;
    const dir = join(root, 'fn');
    await rl.model({ inputs: inp, outputs: out }).save(`file://${dir}`);
    const file = join(dir, 'model.json');
    const good = readFileSync(file, 'utf8');
    const j = JSON.parse(good);
    const td = j.modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'TimeDistributed');
    td.config.layer.class_name = 'NotRegisteredAnywhere';
    writeFileSync(file, JSON.stringify(j));
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/wrapped layer: unknown layer class 'NotRegisteredAnywhere'.*rl\.serialization\.registerClass/);
    j.modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'TimeDistributed').class_name = 'NotRegisteredEither';
    writeFileSync(file, JSON.stringify(j));
    await expect(rl.loadLayersModel(`file://${dir}`)).rejects.toThrow(/unknown layer class 'NotRegisteredEither'.*rl\.serialization\.registerClass/);
  });

  it('deserializeLayer (the registry itself) gives the hint too', () => {
    expect(() => deserializeLayer({ className: 'Nope', config: {} })).toThrow(/unknown layer class 'Nope'; rnnlab has .*rl\.serialization\.registerClass/);
  });
});
