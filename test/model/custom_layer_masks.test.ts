// A custom layer and the padding mask, as Keras 3: supportsMasking passes the mask on (through computeMask, which a
// layer may override to make or change one, and overriding it makes supportsMasking true unless the layer sets it);
// a layer without it ends the mask, so the recurrent layer after it runs every step. tfjs 4.22 leaks whatever mask an earlier layer had to every later one (its executor shares one kwargs
// object), so the references here are rnnlab's own built-in layers, not tfjs.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const c = (value: number): any => rl.initializers.constant({ value });
const ids = () => rl.tensor2d([[1, 2, 0, 0], [3, 0, 0, 0]]);

/** Doubles its input and overrides computeMask; supportsMasking (left unset when undefined) and computeMask as each test sets them. */
function doubler(opts: { supports: boolean | undefined; computeMask?: (x: rl.Tensor, mask: rl.Tensor | null) => rl.Tensor | null; name?: string }) {
  class Doubler extends rl.layers.Layer {
    static readonly className = 'MyDoubler';
    constructor() { super({ name: opts.name }); if (opts.supports !== undefined) this.supportsMasking = opts.supports; }
    call(x: rl.Tensor) { return rl.mul(x, 2); }
    computeMask(x: rl.Tensor | rl.Tensor[], mask: rl.Tensor | null) {
      return opts.computeMask ? opts.computeMask(x as rl.Tensor, mask) : super.computeMask(x, mask);
    }
  }
  return new Doubler();
}

/** ids -> embedding -> [custom] -> simpleRNN, fixed weights; the embedding is doubled by hand when there is no custom layer. */
function rnnModel(maskZero: boolean, custom: InstanceType<typeof rl.layers.Layer> | null): rl.Functional {
  const inp = rl.input({ shape: [4] });
  let h = rl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero, embeddingsInitializer: c(custom ? 0.5 : 1) }).apply(inp) as rl.SymbolicTensor;
  if (custom) h = custom.apply(h) as rl.SymbolicTensor;
  const out = rl.layers.simpleRNN({ units: 1, kernelInitializer: c(0.3), recurrentInitializer: c(0.5), biasInitializer: c(0.1) }).apply(h);
  return rl.model({ inputs: inp, outputs: out as rl.SymbolicTensor });
}

const predicted = (m: rl.Functional) => Array.from((m.predict(ids()) as rl.Tensor).dataSync());

describe('custom layers and the padding mask (Keras 3)', () => {
  const masked = predicted(rnnModel(true, null));
  const unmasked = predicted(rnnModel(false, null));

  it('the references differ: the second row has one real step of four', () => {
    expect(Math.abs(masked[1] - unmasked[1])).toBeGreaterThan(0.05);
  });

  it('supportsMasking true passes the mask on (computeMask gets it as a bool tensor [batch, steps])', () => {
    const seen: (number[] | null)[] = [];
    const layer = doubler({ supports: true, computeMask: (_x, m) => { seen.push(m && [...m.shape, ...Array.from(m.dataSync())]); return m; } });
    const got = predicted(rnnModel(true, layer));
    got.forEach((v, i) => expect(v).toBeCloseTo(masked[i], 6));
    expect(seen[0]).toEqual([2, 4, 1, 1, 0, 0, 1, 0, 0, 0]);
  });

  it('without supportsMasking the mask ends at the layer: the RNN runs every step', () => {
    const got = predicted(rnnModel(true, doubler({ supports: false })));
    got.forEach((v, i) => expect(v).toBeCloseTo(unmasked[i], 6));
  });

  it('overriding computeMask without setting supportsMasking uses it (Keras 3: supports_masking defaults to true then)', () => {
    const layer = doubler({ supports: undefined, computeMask: (_x, m) => m });
    expect(layer.supportsMasking).toBe(true);
    predicted(rnnModel(true, layer)).forEach((v, i) => expect(v).toBeCloseTo(masked[i], 6));
  });

  it('a custom layer that neither overrides computeMask nor sets supportsMasking ends the mask', () => {
    class PlainDoubler extends rl.layers.Layer {
      static readonly className = 'MyPlainDoubler';
      call(x: rl.Tensor) { return rl.mul(x, 2); }
    }
    const layer = new PlainDoubler();
    expect(layer.supportsMasking).toBe(false);
    predicted(rnnModel(true, layer)).forEach((v, i) => expect(v).toBeCloseTo(unmasked[i], 6));
  });

  it('the same in a Sequential model', () => {
    const seq = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, embeddingsInitializer: c(0.5), inputLength: 4 }),
      doubler({ supports: false }),
      rl.layers.simpleRNN({ units: 1, kernelInitializer: c(0.3), recurrentInitializer: c(0.5), biasInitializer: c(0.1) }),
    ] });
    Array.from((seq.predict(ids()) as rl.Tensor).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(unmasked[i], 6));
  });

  it('computeMask returning null drops the mask', () => {
    const got = predicted(rnnModel(true, doubler({ supports: true, computeMask: () => null })));
    got.forEach((v, i) => expect(v).toBeCloseTo(unmasked[i], 6));
  });

  it('computeMask can make a mask, as rl.layers.masking does', () => {
    const x = rl.tensor3d([[[1, 2], [0, 0], [3, 1]], [[0.5, 0.5], [0, 0], [0, 0]]]);
    const rnn = () => rl.layers.simpleRNN({ units: 2, kernelInitializer: c(0.2), recurrentInitializer: c(0.4), biasInitializer: c(0) });
    const build = (mid: InstanceType<typeof rl.layers.Layer>) => {
      const inp = rl.input({ shape: [3, 2] });
      return rl.model({ inputs: inp, outputs: rnn().apply(mid.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor });
    };
    const custom = doubler({ supports: true, computeMask: (t) => rl.any(rl.notEqual(t, 0), -1) });
    const ours = (build(custom).predict(rl.mul(x, 0.5)) as rl.Tensor).dataSync();
    const ref = (build(rl.layers.masking({ maskValue: 0 })).predict(x) as rl.Tensor).dataSync();
    expect(Array.from(ours)).toEqual(Array.from(ref));
  });

  it("a user's subclass of a built-in layer that overrides call keeps that layer's mask handling", () => {
    class LoggedDense extends rl.layerClasses.Dense {
      static readonly className = 'MyLoggedDense';
      calls = 0;
      call(x: rl.Tensor, ctx: never) { this.calls++; return super.call(x, ctx); }
    }
    // Embedding 0.5 through a 2x2 kernel of ones: the [1, 1] the unscaled reference feeds the RNN.
    const dense = new LoggedDense({ units: 2, useBias: false, kernelInitializer: c(1) });
    const got = predicted(rnnModel(true, dense));
    got.forEach((v, i) => expect(v).toBeCloseTo(masked[i], 6));
    expect(dense.calls).toBeGreaterThan(0);
  });

  it('overriding call on a layer that computes without it (a recurrent layer) is refused, not skipped', () => {
    class LoggedRNN extends rl.layerClasses.SimpleRNN {
      static readonly className = 'MyLoggedRNN';
      call(x: rl.Tensor, ctx: never) { return super.call(x, ctx); }
    }
    const rnn = new LoggedRNN({ units: 1, name: 'my_logged_rnn' });
    const why = /my_logged_rnn \(MyLoggedRNN\): overriding call\(\) is not supported on a subclass of this layer/;
    expect(() => rnn.apply(rl.input({ shape: [3, 2] }))).toThrow(why);
    expect(() => rnn.apply(rl.ones([1, 3, 2]))).toThrow(why);
  });

  it('a computeMask that returns a mask while the layer sets supportsMasking = false is an error naming the fix', () => {
    const layer = doubler({ supports: false, computeMask: (_x, m) => m, name: 'my_lost_mask' });
    expect(() => predicted(rnnModel(true, layer))).toThrow(/my_lost_mask \(MyDoubler\): computeMask returned a mask but the layer sets supportsMasking = false.*rnnlab refuses.*this\.supportsMasking = true/);
  });

  it('a mask of the wrong shape is an error naming the layer and the shapes', () => {
    const layer = doubler({ supports: true, computeMask: () => rl.ones([2, 3], 'bool'), name: 'my_bad_mask' });
    expect(() => predicted(rnnModel(true, layer))).toThrow(/my_bad_mask \(MyDoubler\): computeMask must return null or a tensor \[batch, steps\] matching the output \[2, 4, 2\], got a tensor of shape \[2, 3\]/);
  });
});
