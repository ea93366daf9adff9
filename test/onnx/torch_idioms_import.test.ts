// ONNX import of the idioms torch.onnx.export (1.13) writes around plain layers: a parameter equal to another written
// as an Identity of it, nn.AvgPool1d's Pad with all-zero pads, the flattens y.reshape(y.size(0), -1) and x.view(-1, N),
// x * 2 + 1 (Rescaling) and nn.Softsign's x / (1 + |x|). Built here node for node; ONNX Runtime is the oracle
// (<= 1e-5). What has no rnnlab equivalent, or what ONNX Runtime refuses, is refused naming the node and what is at
// fault (PyTorch's Softplus(beta), GELU or SiLU with other constants, SAME_UPPER with dilations or with a stride past the window).
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { Random } from '../../src/random.js';
import { bytesOf, maxAbsDiff, ortPredict, ortSession } from './helpers.js';

function values(n: number, seed: number, scale = 1.2, offset = 0): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * scale + offset);
}
const floats = (shape: number[], seed: number) => rl.tensor(values(shape.reduce((a, b) => a * b, 1), seed, 4), shape);

async function expectSameAsOrt(bytes: Uint8Array, x: rl.Tensor, layers: string[]): Promise<rl.Sequential> {
  const m = modelFromOnnx(bytes, 'torch.onnx');
  expect(m.layers.map((l) => l.className)).toEqual(layers);
  const ours = m.predict(x).values, theirs = await ortPredict(await ortSession(bytes), x);
  expect(ours.length).toBe(theirs.length);
  expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(1e-5);
  return m;
}

const T = 6, C = 4, F = 3;

/** x (batch, T, C) -> Conv1d(C, F, 3) -> ReLU, channels-last again: (batch, T - 2, F). */
function convRelu(g: GraphBuilder): string {
  const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('W', values(F * C * 3, 1), [F, C, 3]), g.floats('b', values(F, 2), [F])], { kernel_shape: [3] });
  return g.node('Transpose', [g.node('Relu', [conv])], { perm: [0, 2, 1] });
}

const linear = (g: GraphBuilder, x: string, inDim: number, units = 2) => g.node('Gemm', [x, g.floats('Wl', values(units * inDim, 7), [units, inDim]), g.floats('bl', values(units, 8), [units])], { transB: 1 });

describe('PyTorch parameters written as an Identity of an equal one', () => {
  it('a Gemm bias, BatchNormalization statistics and LayerNormalization weights read through Identity', async () => {
    const g = new GraphBuilder();
    const bias = g.floats('bias', values(5, 1), [5]), ones = g.floats('ones', new Float32Array(5).fill(1), [5]);
    const d1 = g.node('Gemm', ['x', g.floats('W1', values(15, 2), [5, 3]), bias], { transB: 1 });
    const d2 = g.node('Gemm', [g.node('Relu', [d1]), g.floats('W2', values(25, 3), [5, 5]), g.node('Identity', [bias])], { transB: 1 });
    const bn = g.node('BatchNormalization', [d2, ones, g.node('Identity', [bias]), g.node('Identity', [bias]), g.node('Identity', [ones])]);
    const ln = g.node('LayerNormalization', [bn, g.node('Identity', [g.node('Identity', [ones])]), g.node('Identity', [bias])], { axis: -1, epsilon: { float: 1e-5 } });
    await expectSameAsOrt(bytesOf(g, ln, ['batch', 3], ['batch', 5]), floats([4, 3], 4), ['Dense', 'Dense', 'BatchNormalization', 'LayerNormalization']);
  });
});

describe("nn.AvgPool1d's Pad with all-zero pads", () => {
  const pooled = (pad: (g: GraphBuilder, x: string) => string) => {
    const g = new GraphBuilder();
    const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('W', values(F * C * 3, 1), [F, C, 3])], { kernel_shape: [3] });
    const pool = g.node('AveragePool', [pad(g, g.node('Relu', [conv]))], { kernel_shape: [2], strides: [2] });
    return { g, y: g.node('Transpose', [pool], { perm: [0, 2, 1] }) };
  };

  it('passes through, its pads an input (opset 13) or an attribute (opset 10)', async () => {
    const x = floats([3, T, C], 5);
    const v13 = pooled((g, t) => g.node('Pad', [t, g.ints([0, 0, 0, 0, 0, 0])], { mode: 'constant' }));
    await expectSameAsOrt(bytesOf(v13.g, v13.y, ['batch', T, C], ['batch', 2, F], 13), x, ['Conv1D', 'AveragePooling1D']);
    const v10 = pooled((g, t) => g.node('Pad', [t], { mode: 'constant', pads: [0, 0, 0, 0, 0, 0] }));
    await expectSameAsOrt(bytesOf(v10.g, v10.y, ['batch', T, C], ['batch', 2, F], 10), x, ['Conv1D', 'AveragePooling1D']);
  });

  it('a Pad that pads is refused, naming its pads', () => {
    const { g, y } = pooled((g, t) => g.node('Pad', [t, g.ints([0, 0, 1, 0, 0, 0])], {}, 'pad'));
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', T, C], ['batch', 2, F], 13), 'pad.onnx'))
      .toThrow(/pad\.onnx: node 'pad_node' \(Pad\): only a Pad whose pads are all 0 .*; pads are \[0,0,1,0,0,0\]/);
  });
});

describe("PyTorch's flatten idioms before a Linear", () => {
  const width = (T - 2) * F;

  it('y.reshape(y.size(0), -1) with a fixed batch (a constant [3, -1]) and a dynamic one (Shape, Gather, Unsqueeze, Concat)', async () => {
    const fixed = new GraphBuilder();
    const y1 = linear(fixed, fixed.node('Reshape', [convRelu(fixed), fixed.ints([3, -1])]), width);
    await expectSameAsOrt(bytesOf(fixed, y1, [3, T, C], [3, 2]), floats([3, T, C], 1), ['Conv1D', 'Flatten', 'Dense']);

    const dyn = new GraphBuilder();
    const seq = convRelu(dyn);
    const batch = dyn.node('Unsqueeze', [dyn.node('Gather', [dyn.node('Shape', [seq]), dyn.ints([0], [])], { axis: 0 }), dyn.ints([0])]);
    const y2 = linear(dyn, dyn.node('Reshape', [seq, dyn.node('Concat', [batch, dyn.ints([-1])], { axis: 0 })]), width);
    await expectSameAsOrt(bytesOf(dyn, y2, ['batch', T, C], ['batch', 2]), floats([5, T, C], 2), ['Conv1D', 'Flatten', 'Dense']);
  });

  it('x.view(-1, N) with N the size of each example', async () => {
    const g = new GraphBuilder();
    const y = linear(g, g.node('Reshape', ['x', g.ints([-1, T * C])]), T * C);
    await expectSameAsOrt(bytesOf(g, y, ['batch', T, C], ['batch', 2]), floats([5, T, C], 3), ['Flatten', 'Dense']);
  });

  it('refused, saying a flatten was expected: rows of another width, or a constant batch the input does not fix', () => {
    const other = new GraphBuilder();
    const y1 = linear(other, other.node('Reshape', ['x', other.ints([-1, 12])], {}, 'view'), 12);
    expect(() => modelFromOnnx(bytesOf(other, y1, ['batch', T, C], ['batch', 2]), 'view.onnx'))
      .toThrow(/view\.onnx: node 'view_node' \(Reshape\): a flatten was expected, but the Reshape asks for rows of 12 values where flattening each example gives rows of 24 values/);
    const fixed = new GraphBuilder();
    const y2 = linear(fixed, fixed.node('Reshape', ['x', fixed.ints([2, -1])], {}, 'rows'), T * C);
    expect(() => modelFromOnnx(bytesOf(fixed, y2, ['batch', T, C], ['batch', 2]), 'rows.onnx'))
      .toThrow(/rows\.onnx: node 'rows_node' \(Reshape\): a flatten was expected: .*got \[2,-1\]/);
  });

  it('torch.flatten of channels-first Conv output is refused in words', () => {
    const g = new GraphBuilder();
    const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('W', values(F * C * 3, 1), [F, C, 3])], { kernel_shape: [3] });
    const y = linear(g, g.node('Flatten', [conv], { axis: 1 }, 'flat'), width);
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', T, C], ['batch', 2]), 'cf.onnx'))
      .toThrow(/node 'flat_node' \(Flatten\): flattening \(batch, features, steps\) data would order the features unlike Keras/);
  });
});

describe('PyTorch activations and arithmetic after a Linear', () => {
  const dense = (g: GraphBuilder) => g.node('Gemm', ['x', g.floats('W', values(15, 1), [5, 3]), g.floats('b', values(5, 2), [5])], { transB: 1 });

  it('x * 2 + 1 is a Rescaling; a single scale with a per-feature shift a BatchNormalization', async () => {
    const g = new GraphBuilder();
    const y = g.node('Add', [g.node('Mul', [dense(g), g.floats('s', [2], [1])]), g.floats('t', [1], [1])]);
    const m = await expectSameAsOrt(bytesOf(g, y, ['batch', 3], ['batch', 5]), floats([4, 3], 3), ['Dense', 'Rescaling']);
    expect(m.layers[1].getConfig()).toMatchObject({ scale: 2, offset: 1 });
    const h = new GraphBuilder();
    const z = h.node('Add', [h.node('Mul', [dense(h), h.scalar(0.5)]), h.floats('t', values(5, 9), [5])]);
    await expectSameAsOrt(bytesOf(h, z, ['batch', 3], ['batch', 5]), floats([4, 3], 4), ['Dense', 'BatchNormalization']);
  });

  it("nn.Softsign's x / (1 + Abs(x)) is the Dense layer's softsign", async () => {
    const g = new GraphBuilder();
    const d = dense(g);
    const y = g.node('Div', [d, g.node('Add', [g.node('Abs', [d]), g.scalar(1)])]);
    const m = await expectSameAsOrt(bytesOf(g, y, ['batch', 3], ['batch', 5]), floats([4, 3], 5), ['Dense']);
    expect(m.layers[0].getConfig()).toMatchObject({ activation: 'softsign' });
  });

  it("GELU and SiLU written with another constant or a shared inner tensor, and Softplus(beta), are refused naming PyTorch's pattern", () => {
    const refusal = (build: (g: GraphBuilder, d: string) => string) => {
      const g = new GraphBuilder();
      return () => modelFromOnnx(bytesOf(g, build(g, dense(g)), ['batch', 3], ['batch', 5], 13), 'act.onnx');
    };
    const gelu = refusal((g, d) => g.node('Mul', [g.node('Mul', [d, g.node('Add', [g.node('Erf', [g.node('Div', [d, g.scalar(1.5)])]), g.scalar(1)])], {}, 'gelu'), g.scalar(0.5)]));
    expect(gelu).toThrow(/act\.onnx: node 'gelu_node' \(Mul\): this Mul starts PyTorch's GELU, .*not exactly/);
    const silu = refusal((g, d) => {
      const s = g.node('Sigmoid', [d]);
      return g.node('Add', [g.node('Mul', [d, s], {}, 'silu'), s]);
    });
    expect(silu).toThrow(/node 'silu_node' \(Mul\): this Mul starts PyTorch's SiLU \(swish\), x · Sigmoid\(x\)/);
    const softplus = refusal((g, d) => g.node('Div', [g.node('Softplus', [g.node('Mul', [d, g.scalar(2)], {}, 'beta')]), g.scalar(2)]));
    expect(softplus).toThrow(/node 'beta_node' \(Mul\): this Mul starts PyTorch's Softplus\(beta=2\)/);
  });
});

describe('messages that name what is at fault', () => {
  it('a last step whose index is computed in the graph (out[:, x.size(1) - 1]) says the index is not a constant', () => {
    const g = new GraphBuilder(), H = 5;
    const [Y] = g.nodeN('GRU', [g.node('Transpose', ['x'], { perm: [1, 0, 2] }), g.floats('W', values(3 * H * C, 1), [1, 3 * H, C]), g.floats('R', values(3 * H * H, 2), [1, 3 * H, H])], { hidden_size: H }, 'GRU', 2);
    const seq = g.node('Transpose', [g.node('Squeeze', [Y, g.ints([1])])], { perm: [1, 0, 2] });
    const last = g.node('Sub', [g.node('Gather', [g.node('Shape', ['x']), g.ints([1], [])], { axis: 0 }), g.ints([1], [])]);
    const y = linear(g, g.node('Gather', [seq, last], { axis: 1 }, 'last'), H);
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', 'steps', C], ['batch', 2]), 'last.onnx'))
      .toThrow(/node 'last_node' \(Gather\): only the last time step \(index -1\) can be taken from a recurrent output; the index is not a constant/);
  });

  const windowed = (op: string, attrs: Record<string, unknown>, steps: number | string) => {
    const g = new GraphBuilder();
    const inputs = [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), ...(op === 'Conv' ? [g.floats('W', values(F * C * 2, 1), [F, C, 2])] : [])];
    const y = g.node('Transpose', [g.node(op, inputs, attrs as never, 'win')], { perm: [0, 2, 1] });
    return bytesOf(g, y, ['batch', steps, C], ['batch', 'out', op === 'Conv' ? F : C]);
  };

  it('group and ceil_mode are named by attribute', () => {
    const grouped = () => {
      const g = new GraphBuilder();
      const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('W', values(2 * 2 * 2, 1), [2, 2, 2])], { kernel_shape: [2], group: 2 }, 'win');
      return modelFromOnnx(bytesOf(g, g.node('Transpose', [conv], { perm: [0, 2, 1] }), ['batch', T, C], ['batch', T - 1, 2]), 'g.onnx');
    };
    expect(grouped).toThrow(/node 'win_node' \(Conv\): attribute group 2 \(a grouped convolution; rnnlab's Conv1D has no groups\) is not imported/);
    expect(() => modelFromOnnx(windowed('MaxPool', { kernel_shape: [2], strides: [2], ceil_mode: 1 }, 7), 'c.onnx'))
      .toThrow(/node 'win_node' \(MaxPool\): attribute ceil_mode 1 .*is not imported/);
  });

  it('SAME_UPPER that ONNX Runtime refuses: with dilations, and a pool whose stride passes the window where the padding is negative', async () => {
    expect(() => modelFromOnnx(windowed('Conv', { kernel_shape: [2], dilations: [2], auto_pad: 'SAME_UPPER' }, 12), 'd.onnx'))
      .toThrow(/d\.onnx: node 'win_node' \(Conv\): auto_pad SAME_UPPER with dilations \[2\] is not imported: ONNX Runtime refuses it/);
    const wide = { kernel_shape: [2], strides: [3], auto_pad: 'SAME_UPPER' };
    const negative = windowed('AveragePool', wide, 12);
    await expect(ortSession(negative).then((s) => ortPredict(s, floats([2, 12, C], 1)))).rejects.toThrow(/padding values must be non-negative/);
    expect(() => modelFromOnnx(negative, 's.onnx')).toThrow(/s\.onnx: node 'win_node' \(AveragePool\): auto_pad SAME_UPPER with strides \[3\] past the window .*negative for 12 steps/);
    expect(() => modelFromOnnx(windowed('AveragePool', wide, 'steps'), 'free.onnx')).toThrow(/negative for some lengths of the steps/);
    // At 11 steps the padding is 0: ONNX Runtime runs it, as the imported layer does.
    await expectSameAsOrt(windowed('AveragePool', wide, 11), floats([2, 11, C], 2), ['AveragePooling1D']);
  });
});
