// A user's subclass of a built-in layer keeps the parent's className: one that overrides how the layer computes
// (call, apply, computeMask) must be refused by the ONNX export, not written as the parent (ONNX Runtime and the
// reloaded file then gave the parent's numbers); one that overrides nothing computational still exports.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { maxAbsDiff, ortPredict, ortSession, randomize } from './helpers.js';

const L = rl.layers;
type Kwargs = Record<string, unknown>;

class TwiceDense extends rl.layerClasses.Dense {
  override call(x: Tensor | Tensor[], kw: Kwargs): Tensor { return rl.mul(super.call(x, kw) as Tensor, rl.scalar(2)); }
}

class ShiftedConv extends rl.layerClasses.Conv1D {
  override call(x: Tensor | Tensor[], kw: Kwargs): Tensor { return rl.add(super.call(x, kw) as Tensor, rl.scalar(1)); }
}

/** Masks nothing, where the parent's maskZero masks the padding ids. */
class UnmaskedEmbedding extends rl.layerClasses.Embedding {
  override computeMask(): null { return null; }
}

/** A constructor and getConfig of its own: it computes as Dense does. */
class ConfiguredDense extends rl.layerClasses.Dense {
  constructor(args: ConstructorParameters<typeof rl.layerClasses.Dense>[0]) { super({ ...args, useBias: false }); }
  override getConfig(): ReturnType<rl.layerClasses.Dense['getConfig']> { return super.getConfig(); }
}

describe('a subclass overriding how a built-in layer computes is refused by the ONNX export', () => {
  it('Dense whose call() doubles the output: refused naming the layer, its className and its class', async () => {
    const m = rl.sequential({ layers: [new TwiceDense({ units: 3, inputShape: [4], name: 'twice' })] });
    const expected = /ONNX export: layer 'twice' \(Dense\) has no ONNX export: its class TwiceDense, which overrides call\(\)/;
    expect(() => rl.toOnnx(m)).toThrow(rl.OnnxExportError);
    expect(() => rl.toOnnx(m)).toThrow(expected);
    await expect(rl.exportONNX(m, 'never-written.onnx')).rejects.toThrow(expected);
  });

  it('Conv1D whose call() adds 1, after another layer', () => {
    const m = rl.sequential({ layers: [L.dense({ units: 2, inputShape: [5, 3] }), new ShiftedConv({ filters: 2, kernelSize: 2, name: 'shifted' })] });
    expect(() => rl.toOnnx(m)).toThrow(/layer 'shifted' \(Conv1D\) has no ONNX export: its class ShiftedConv, which overrides call\(\)/);
  });

  it('Embedding whose computeMask() drops maskZero\'s mask before an LSTM', () => {
    const m = rl.sequential({ layers: [new UnmaskedEmbedding({ inputDim: 10, outputDim: 3, maskZero: true, inputLength: 4, name: 'emb' }), L.lstm({ units: 2 })] });
    expect(() => rl.toOnnx(m)).toThrow(/layer 'emb' \(Embedding\) has no ONNX export: its class UnmaskedEmbedding, which overrides computeMask\(\)/);
  });

  it('a Dense subclass given an apply() of its own', () => {
    class AppliedDense extends rl.layerClasses.Dense {}
    // An apply of its own on the prototype, as a JavaScript subclass writes it (TypeScript's overloads aside).
    Object.defineProperty(AppliedDense.prototype, 'apply', {
      value(this: rl.layerClasses.Dense, ...args: unknown[]) { return (rl.layerClasses.Dense.prototype.apply as (...a: unknown[]) => unknown).apply(this, args); },
    });
    const m = rl.sequential({ layers: [new AppliedDense({ units: 2, inputShape: [3], name: 'applied' })] });
    expect(() => rl.toOnnx(m)).toThrow(/layer 'applied' \(Dense\) has no ONNX export: its class AppliedDense, which overrides apply\(\)/);
  });

  it('a functional model, directly and inside a TimeDistributed', () => {
    const x = rl.input({ shape: [4] });
    const y = L.dense({ units: 2, name: 'head' }).apply(new TwiceDense({ units: 3, name: 'twice' }).apply(x) as rl.SymbolicTensor) as rl.SymbolicTensor;
    expect(() => rl.toOnnx(rl.model({ inputs: x, outputs: y }))).toThrow(/layer 'twice' \(Dense\) has no ONNX export: its class TwiceDense, which overrides call\(\)/);
    const seq = rl.input({ shape: [2, 4] });
    const td = L.timeDistributed({ layer: new TwiceDense({ units: 3, name: 'inner' }), name: 'td' }).apply(seq) as rl.SymbolicTensor;
    expect(() => rl.toOnnx(rl.model({ inputs: seq, outputs: td }))).toThrow(/layer 'td' \(TimeDistributed\) has no ONNX export: its layer 'inner' \(Dense\) is of class TwiceDense, which overrides call\(\)/);
  });

  it('a subclass that overrides only its constructor and getConfig exports, equal to predict in ONNX Runtime and reloaded', async () => {
    const m = rl.sequential({ layers: [new ConfiguredDense({ units: 3, inputShape: [4] }), L.dense({ units: 2 })] });
    randomize(m, 3);
    const x = rl.tensor(Array.from({ length: 8 }, (_, i) => Math.cos(i)), [2, 4]);
    const bytes = rl.toOnnx(m);
    const expected = m.predict(x).values;
    expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), expected)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(rl.modelFromOnnx(bytes, 'configured.onnx').predict(x).values, expected)).toBeLessThanOrEqual(1e-5);
  });
});
