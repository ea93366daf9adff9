// Mistakes in a custom layer end in an error naming the layer and what to fix, not a TypeError from inside rnnlab.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempDir } from '../compat/functional_helpers.js';

const root = tempDir('rnnlab-custom-errors-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** x -> [x, x]: two outputs. */
class Fork extends rl.layers.Layer {
  static readonly className = 'MyFork';
  computeOutputShape(s: (number | null)[]) { return [s, s] as unknown as (number | null)[]; }
  call(x: rl.Tensor) { return [x, x] as unknown as rl.Tensor; }
}

describe('custom layer errors', () => {
  it('a layer with two outputs in a Sequential model is refused (Keras), last layer or not', () => {
    for (const layers of [[rl.layers.dense({ units: 2, inputShape: [2] }), new Fork({ name: 'my_fork_a' }), rl.layers.dense({ units: 1 })],
      [rl.layers.dense({ units: 2, inputShape: [2] }), new Fork({ name: 'my_fork_b' })]]) {
      expect(() => rl.sequential({ layers })).toThrow(/my_fork_[ab] \(MyFork\) has 2 outputs, but every layer of a Sequential model must have one.*rl\.model/);
    }
  });

  it('the same two-output layer works in a functional model', () => {
    const x = rl.input({ shape: [2] });
    const [a, b] = new Fork({}).apply(x) as rl.SymbolicTensor[];
    const m = rl.model({ inputs: x, outputs: rl.layers.add().apply([a, b]) as rl.SymbolicTensor });
    expect(Array.from((m.predict(rl.tensor2d([[1, 2]])) as rl.Tensor).dataSync())).toEqual([2, 4]);
  });

  it('computeOutputShape that returns nothing is an error naming the layer', () => {
    class NoShape extends rl.layers.Layer {
      static readonly className = 'MyNoShape';
      computeOutputShape(): (number | null)[] { return undefined as unknown as (number | null)[]; }
      call(x: rl.Tensor) { return x; }
    }
    expect(() => new NoShape({ name: 'my_no_shape' }).apply(rl.input({ shape: [2] })))
      .toThrow(/my_no_shape \(MyNoShape\): computeOutputShape returned undefined; expected a shape/);
  });

  it('a getConfig that leaves out an option: loading says the shape and where it comes from', async () => {
    class Proj extends rl.layers.Layer {
      static readonly className = 'MyProjNoConfig';
      units: number;
      kernel!: rl.Tensor;
      constructor(args: { units: number; name?: string }) { super(args); this.units = args.units; }
      build(s: (number | null)[]) { this.kernel = this.addWeight('kernel', [s[1] as number, this.units]); }
      computeOutputShape(s: (number | null)[]) { return [s[0], this.units]; }
      call(x: rl.Tensor) { return rl.matMul(x, this.kernel); }
    }
    rl.serialization.registerClass(Proj);
    const x = rl.input({ shape: [2] });
    const m = rl.model({ inputs: x, outputs: new Proj({ units: 3, name: 'my_proj' }).apply(x) as rl.SymbolicTensor });
    await m.save(`file://${root}/proj`);
    await expect(rl.loadLayersModel(`file://${root}/proj`)).rejects
      .toThrow(/my_proj \(MyProjNoConfig\): addWeight 'kernel': shape must be a list of sizes, got \[2, undefined\]; a layer built from a saved config gets only what its getConfig\(\) returned/);
  });
});
