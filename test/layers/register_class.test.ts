/**
 * rl.serialization.registerClass under a name already taken, as tfjs 4.22 behaves (checked against it): a second
 * custom class under the same className replaces the first, silently, and saved models then load as the second;
 * registering a class again is harmless. Unlike tfjs (whose loader would then build the custom class for every saved
 * Dense), a built-in layer's name or alias is refused and the loader keeps the built-in.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { removeDir, tempDir } from '../io/helpers.js';

/** y = factor * x under one saved name, as two versions of a notebook cell would define it. */
function scaler(factor: number, className = 'MyScaler') {
  return class extends rl.layers.Layer {
    static override readonly className: string = className;
    computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
    call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(factor)); }
  };
}

const root = tempDir('rnnlab-register-');
afterAll(() => removeDir(root));

async function savedWith(layer: InstanceType<typeof rl.layers.Layer>, name: string): Promise<string> {
  const dir = join(root, name);
  await rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' }), layer] }).save(`file://${dir}`);
  return `file://${dir}`;
}

const predictOne = async (url: string): Promise<number> => ((await rl.loadLayersModel(url)).predict(rl.tensor2d([[1.5]])) as Tensor).dataSync()[0];

describe('registerClass under a name already taken', () => {
  it('a second custom class replaces the first, and a saved model loads as the newest', async () => {
    const Double = scaler(2), Triple = scaler(3);
    expect(rl.serialization.registerClass(Double)).toBe(Double);
    const url = await savedWith(new Double({}), 'double');
    expect(await predictOne(url)).toBe(3);
    expect(rl.serialization.registerClass(Triple)).toBe(Triple);
    expect(await predictOne(url)).toBe(4.5);
    expect(() => rl.serialization.registerClass(Triple)).not.toThrow();
    rl.serialization.registerClass(Double);
    expect(await predictOne(url)).toBe(3);
  });

  it("refuses a built-in layer's name or alias, and the loader keeps the built-in", async () => {
    const Identity = rl.serialization.registerClass(scaler(1, 'MyIdentity'));
    const url = await savedWith(new Identity({}), 'dense-then-identity');
    expect(await predictOne(url)).toBe(1.5);
    const FakeDense = scaler(10, 'Dense');
    expect(() => rl.serialization.registerClass(FakeDense)).toThrow(/^serialization\.registerClass\(.*\): 'Dense' is the name of rnnlab's built-in Dense layer, which saved models load as; give .* another static className$/);
    expect(() => rl.serialization.registerClass(scaler(10, 'Convolution1D'))).toThrow(/'Convolution1D' is the name of rnnlab's built-in Conv1D layer/);
    expect(await predictOne(url)).toBe(1.5);
  });

  it('registering a built-in class itself changes nothing', async () => {
    expect(rl.serialization.registerClass(rl.layerClasses.Dense)).toBe(rl.layerClasses.Dense);
    const url = await savedWith(new (rl.serialization.registerClass(scaler(1, 'MyIdentity')))({}), 'builtin-again');
    expect(await predictOne(url)).toBe(1.5);
  });

  it("refuses tfjs's package and name arguments instead of ignoring them", () => {
    const Named = scaler(1, 'MyNamed');
    const loose = rl.serialization.registerClass as (cls: unknown, ...more: unknown[]) => unknown;
    expect(() => loose(Named, 'Package', 'MyLayer')).toThrow(/tfjs's package and name arguments are not supported; the layer is saved and loaded under its static className 'MyNamed'/);
    expect(() => loose(Named, undefined, 'MyLayer')).toThrow(/not supported/);
    expect(loose(Named, undefined, undefined)).toBe(Named);
  });

  it('a custom class with aliases is filed under each, and a file saved under an alias loads', async () => {
    const Aliased = class extends scaler(4) { static override readonly className: string = 'MyAliased'; static readonly aliases = ['MyAliasedOld']; };
    expect(rl.serialization.registerClass(Aliased)).toBe(Aliased);
    const url = await savedWith(new Aliased({}), 'aliased');
    expect(await predictOne(url)).toBe(6);
    const dir = url.slice('file://'.length);
    const { readFile, writeFile } = await import('node:fs/promises');
    const json = await readFile(join(dir, 'model.json'), 'utf8');
    await writeFile(join(dir, 'model.json'), json.replace('"MyAliased"', '"MyAliasedOld"'));
    expect(json).toContain('"MyAliased"');
    expect(await predictOne(url)).toBe(6);
  });

  it("a subclass of a built-in registers under its own className, not the built-in's inherited aliases", async () => {
    const MyConv = class extends rl.layerClasses.Conv1D { static override readonly className: string = 'MyMyConv'; };
    expect(rl.serialization.registerClass(MyConv)).toBe(MyConv);
    const dir = join(root, 'myconv');
    const m = rl.sequential({ layers: [new MyConv({ filters: 1, kernelSize: 1, inputShape: [2, 1], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`);
    expect(back.layers[0]).toBeInstanceOf(MyConv);
    expect(((back.predict(rl.tensor3d([[[2], [3]]])) as Tensor).dataSync())).toEqual(new Float32Array([2, 3]));
  });
});
