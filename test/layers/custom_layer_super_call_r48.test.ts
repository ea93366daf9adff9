/**
 * tfjs-layers' base Layer.call(inputs, kwargs) returns its inputs, so a custom layer's call may build on
 * super.call(x): inside a model it passes the input on (or scaled, when the subclass scales it). A class that writes
 * no call at all stays an error (Keras 3's), whether a model runs it or users' code calls it.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((Array.isArray(t) ? t[0] : t).dataSync());
const x = () => rl.tensor2d([[1, -2, 3], [0.5, 4, -1]]);

function modelOf(layer: InstanceType<typeof rl.layers.Layer>): rl.LayersModel {
  const inp = rl.input({ shape: [3] });
  return rl.model({ inputs: inp, outputs: layer.apply(inp) as rl.SymbolicTensor });
}

class PassThrough extends rl.layers.Layer {
  static className = 'PassThroughR48';
  call(inputs: rl.Tensor | rl.Tensor[], kwargs?: rl.layerClasses.Kwargs) { return super.call(inputs, kwargs); }
}

class Doubled extends rl.layers.Layer {
  static className = 'DoubledR48';
  call(inputs: rl.Tensor | rl.Tensor[]) { return rl.mul(super.call(inputs) as rl.Tensor, 2); }
}

describe('a custom layer\'s super.call (tfjs\'s Layer.call)', () => {
  it('returns the inputs: a model of a layer whose call is super.call(x) predicts its input unchanged', () => {
    expect(values(modelOf(new PassThrough()).predict(x()) as rl.Tensor)).toEqual(values(x()));
  });

  it('a call that scales super.call(x) predicts the scaled input', () => {
    expect(values(modelOf(new Doubled()).predict(x()) as rl.Tensor)).toEqual(values(x()).map((v) => 2 * v));
  });

  it('passes a list of inputs on as the list', () => {
    const [a, b] = [rl.ones([2, 3]), rl.zeros([2, 3])];
    const out = new PassThrough().call([a, b]);
    expect(Array.isArray(out) && out.length === 2 && out[0] === a && out[1] === b).toBe(true);
  });

  it('a class that writes no call is refused, in a model and called directly', () => {
    // JavaScript users (or a cast) can leave call out; TypeScript's type allows it now that the base has one.
    class NoCall extends rl.layers.Layer { static className = 'NoCallR48'; }
    expect(() => modelOf(new NoCall({ name: 'nc1' })).predict(x())).toThrow(/nc1 \(NoCallR48\): the layer defines no call\(\)/);
    expect(() => new NoCall({ name: 'nc2' }).call(x())).toThrow(/nc2 \(NoCallR48\): the layer defines no call\(\)/);
  });
});

describe('a built-in subclass overriding apply: its computation runs once per forward pass', () => {
  // The inner layer's call counts how often TimeDistributed's computation runs.
  let innerCalls = 0;
  class Counting extends rl.layers.Layer {
    static className = 'CountingR48';
    call(inputs: rl.Tensor | rl.Tensor[]) { innerCalls++; return rl.mul(Array.isArray(inputs) ? inputs[0] : inputs, 3); }
  }
  type Kw = rl.layerClasses.Kwargs | undefined;
  const overrides: Record<string, (self: rl.layerClasses.Layer, sup: (x: rl.Tensor, kw?: Kw) => unknown, x: rl.Tensor, kw: Kw) => unknown> = {
    'this.call(x, kwargs)': (self, _sup, x, kw) => self.call(x, kw),
    'this.call(x)': (self, _sup, x) => self.call(x),
    'super.apply(x, kwargs)': (_self, sup, x, kw) => sup(x, kw),
    'super.apply(x)': (_self, sup, x) => sup(x),
  };
  for (const [name, body] of Object.entries(overrides)) {
    for (const masked of [false, true]) {
      it(`${name}${masked ? ' under a padding mask' : ''}`, () => {
        class LoggedTimeDistributed extends rl.layerClasses.TimeDistributed {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          apply(a: any, kw?: any): any {
            if (a instanceof rl.SymbolicTensor) return super.apply(a, kw);
            return body(this, (t, k) => super.apply(t, k), a, kw);
          }
        }
        const inp = rl.input({ shape: [4, 3] });
        const from = masked ? rl.layers.masking({ maskValue: 0 }).apply(inp) as rl.SymbolicTensor : inp;
        const td = new LoggedTimeDistributed({ layer: new Counting() });
        const model = rl.model({ inputs: inp, outputs: td.apply(from) as rl.SymbolicTensor });
        const data = rl.tensor3d([[[1, 1, 1], [2, 2, 2], [0, 0, 0], [0, 0, 0]], [[1, 2, 3], [0, 0, 0], [0, 0, 0], [0, 0, 0]]]);
        innerCalls = 0;
        const y = model.predict(data) as rl.Tensor;
        const once = innerCalls;
        expect(values(y)).toEqual(values(data).map((v) => 3 * v));
        // super.apply(x) under a mask computed without it, so computeMask must compute on the model's mask: twice.
        expect(once).toBe(masked && (name === 'this.call(x)' || name === 'super.apply(x)') ? 2 : 1);
      });
    }
  }
});

describe('an apply override that runs the layer on other inputs', () => {
  it('leaves the output mask to computeMask on the model\'s inputs (tfjs\'s), not to the shifted computation', () => {
    // ids [1, 0, 0] mask steps 2 and 3; the override embeds ids + 1, which masks nothing. tfjs takes the mask from
    // computeMask on [1, 0, 0], so the RNN holds its first step's output: tanh(1) three times.
    class ShiftedEmbedding extends rl.layerClasses.Embedding {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      apply(a: any, kw?: any): any {
        if (a instanceof rl.SymbolicTensor) return super.apply(a, kw);
        return super.apply(rl.add(a, rl.scalar(1, 'int32')));
      }
    }
    const inp = rl.input({ shape: [3], dtype: 'int32' });
    const emb = new ShiftedEmbedding({ inputDim: 10, outputDim: 1, maskZero: true, embeddingsInitializer: 'ones' });
    const rnn = rl.layers.simpleRNN({ units: 1, kernelInitializer: 'ones', recurrentInitializer: 'ones', returnSequences: true });
    const model = rl.model({ inputs: inp, outputs: rnn.apply(emb.apply(inp) as rl.SymbolicTensor) as rl.SymbolicTensor });
    const y = values(model.predict(rl.tensor2d([[1, 0, 0]], undefined, 'int32')) as rl.Tensor);
    y.forEach((v) => expect(v).toBeCloseTo(Math.tanh(1), 5));
  });
});

describe('a model\'s dtype (tfjs\'s LayersModel.dtype)', () => {
  it('is float32 for a functional and a sequential model, under the mixed policy too (weights stay float32)', () => {
    const seq = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [3] })] });
    expect(modelOf(rl.layers.dense({ units: 2 })).dtype).toBe('float32');
    expect(seq.dtype).toBe('float32');
    try {
      rl.mixedPrecision.setGlobalPolicy('mixed_bfloat16', { warn: () => {} });
      expect(seq.dtype).toBe('float32');
      expect(seq.dtype).toBe(seq.layers[0].variableDtype);
    } finally {
      rl.mixedPrecision.setGlobalPolicy('float32');
    }
  });
});
