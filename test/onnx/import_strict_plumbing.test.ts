// ONNX import of graphs that look like exportOnnx's mask plumbing, PyTorch's last-step Gather or a Dense bias but
// compute something else: each used to import silently with other numbers than the file (PyTorch's
// pack_padded_sequence, a Gather of a middle step after RepeatVector, a Mul by another input-derived tensor, a
// BatchNormalization over time-major data, a bias added along the steps). They are refused naming the file and node;
// rnnlab's own masked exports and PyTorch's cat(h_n[-2], h_n[-1], dim=-1) import and match ONNX Runtime.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { Random } from '../../src/random.js';
import { bytesOf, maxAbsDiff, ortPredict, ortSession, randomize, tokenIds } from './helpers.js';

const L = rl.layers;
const V = 11, E = 4, H = 3, T = 5;

function values(n: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * 1.2);
}

type Model = ReturnType<ReturnType<typeof onnxSchema>['ModelProto']['decode']>;
type NodeList = NonNullable<NonNullable<Model['graph']>['node']>;

/** Decodes ONNX bytes, lets edit change the graph, and encodes the result. */
function editGraph(bytes: Uint8Array, edit: (nodes: NodeList, model: Model) => void): Uint8Array {
  const onnx = onnxSchema();
  const model = onnx.ModelProto.decode(bytes);
  edit(model.graph!.node!, model);
  return onnx.ModelProto.encode(model).finish();
}

const byName = (nodes: NodeList, name: string) => nodes.find((n) => n.name === name) ?? (() => { throw new Error(`no node ${name}`); })();

/**
 * Embedding -> GRU(batch_first) on pack_padded_sequence(emb, lens = (x != 0).sum(1)) as torch.onnx.export (1.13,
 * opset 17) writes it: the lengths computed in the graph straight into sequence_lens, no reordering of the steps.
 * head 'state': fc(h_n[-1]); 'sequence': fc(pad_packed_sequence(out)).
 */
function torchPacked(head: 'state' | 'sequence'): Uint8Array {
  const g = new GraphBuilder();
  const zero = g.ints([0], []);
  const lens = g.node('ReduceSum', [g.node('Cast', [g.node('Not', [g.node('Equal', ['x', zero])])], { to: 7 }), g.ints([1])], { keepdims: 0 });
  const emb = g.node('Gather', [g.floats('emb.weight', values(V * E, 1), [V, E]), 'x'], {}, 'emb');
  const xt = g.node('Transpose', [emb], { perm: [1, 0, 2] });
  const seqLens = g.node('Cast', [g.node('Cast', [lens], { to: 7 })], { to: 6 });
  const batch = g.node('Unsqueeze', [g.node('Gather', [g.node('Shape', [xt]), g.ints([1], [])]), g.ints([0])]);
  const h0 = g.node('Expand', [g.floats('zeros', [0], [1]), g.node('Concat', [g.ints([1]), batch, g.ints([H])], { axis: 0 })]);
  const [Y, Yh] = g.nodeN('GRU', [xt, g.floats('W', values(3 * H * E, 2), [1, 3 * H, E]), g.floats('R', values(3 * H * H, 3), [1, 3 * H, H]),
    g.floats('B', values(6 * H, 4), [1, 6 * H]), seqLens, h0], { hidden_size: H, linear_before_reset: 1 }, 'rnn/GRU', 2);
  let y: string, out: (number | string)[];
  if (head === 'state') {
    y = g.node('Gemm', [g.node('Gather', [Yh, g.ints([-1], [])], { axis: 0 }), g.floats('fc.weight', values(2 * H, 5), [2, H]), g.floats('fc.bias', [0.1, -0.2], [2])], { transB: 1 });
    out = ['batch', 2];
  } else {
    const seq = g.node('Transpose', [g.node('Squeeze', [Y, g.ints([1])])], { perm: [1, 0, 2] });
    y = g.node('Add', [g.floats('fc.bias', [0.1, -0.2], [2]), g.node('MatMul', [seq, g.floats('fc.weight', values(2 * H, 5), [H, 2])])]);
    out = ['batch', T, 2];
  }
  return g.toBytes({ name: 'x', elemType: 'int64', shape: ['batch', T] }, { name: y, elemType: 'float32', shape: out }, 'torch_jit', '');
}

const ids = (rows: number[][]) => rl.tensor(Int32Array.from(rows.flat()), [rows.length, T], 'int32');

describe("PyTorch's pack_padded_sequence (sequence_lens without exportOnnx's compaction) is refused", () => {
  for (const head of ['state', 'sequence'] as const) {
    it(`fc(${head === 'state' ? 'h_n[-1]' : 'pad_packed_sequence(out)'}): ONNX cuts steps at the end only, rnnlab's mask skips them anywhere`, async () => {
      const bytes = torchPacked(head);
      const session = await ortSession(bytes);
      // The file reads padding before a row's tokens (and, for the sequence, the steps after its length) otherwise
      // than a mask that skips it: the same tokens padded at the end and at the start give different outputs in ONNX,
      // where rnnlab's masked GRU gives the same last output for both.
      const trailing = await ortPredict(session, ids([[3, 4, 5, 0, 0]]));
      const leading = await ortPredict(session, ids([[0, 0, 3, 4, 5]]));
      const lastOf = (a: Float32Array) => (head === 'state' ? a : a.slice(2 * 2, 3 * 2));
      expect(maxAbsDiff(lastOf(trailing), head === 'state' ? leading : leading.slice(4 * 2))).toBeGreaterThan(1e-3);
      expect(() => modelFromOnnx(bytes, 'packed.onnx')).toThrow(/packed\.onnx: node 'rnn\/GRU_node' \(GRU\): takes sequence_lens without exportOnnx's mask plumbing .*pack_padded_sequence/);
    });
  }
});

describe("exportOnnx's masked recurrent plumbing is read only in its exact form", () => {
  const build = (returnSequences: boolean, bidirectional = false) => {
    rl.setSeed(3);
    const rnn = L.gru({ units: H, returnSequences, resetAfter: true, name: 'rnn' });
    const m = rl.sequential({ layers: [L.embedding({ inputDim: V, outputDim: E, inputLength: T, maskZero: true }),
      bidirectional ? L.bidirectional({ layer: rnn as never, name: 'rnn' }) : rnn, L.dense({ units: 2 })] });
    const x = tokenIds(6, T, V, 7, { pad: true, holes: true, allowEmpty: true });
    m.predict(x);
    randomize(m, 4);
    return { m, x };
  };

  it('the untouched exports still import and match predict and ONNX Runtime (final state, sequence, bidirectional)', async () => {
    for (const [seq, bi] of [[false, false], [true, false], [false, true], [true, true]]) {
      const { m, x } = build(seq, bi);
      const bytes = toOnnx(m);
      const back = modelFromOnnx(bytes, 'masked.onnx');
      const want = (m.predict(x) as rl.Tensor).values;
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, want)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), want)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('without the compaction (the embedded ids straight into the masked GRU) it is refused', () => {
    const bytes = editGraph(toOnnx(build(false).m), (nodes) => {
      const compacted = nodes.find((n) => n.opType === 'GatherElements')!;
      byName(nodes, 'rnn/time_major_node').input = [compacted.input![0]];
    });
    expect(() => modelFromOnnx(bytes, 'nocompact.onnx')).toThrow(/nocompact\.onnx: node 'rnn\/GRU_node' \(GRU\): takes sequence_lens without exportOnnx's mask plumbing/);
  });

  it('a compaction whose order sorts by another tensor than the mask is refused', () => {
    const bytes = editGraph(toOnnx(build(false).m), (nodes, model) => {
      const sub = nodes.find((n) => n.opType === 'Sub' && n.name?.startsWith('mask_padding'))!;
      model.graph!.initializer!.push({ name: 'half', dataType: 1, dims: [], rawData: new Uint8Array(Float32Array.of(0.5).buffer) });
      sub.input = ['half', sub.input![1]];
    });
    expect(() => modelFromOnnx(bytes, 'order.onnx')).toThrow(/order\.onnx: node 'rnn_compacted_node' \(GatherElements\): reorders the steps before recurrent node 'rnn\/GRU_node' other than exportOnnx's mask compaction/);
  });

  it('a final state multiplied by another input-derived tensor than "row has a real step" is refused (it used to vanish)', async () => {
    const bytes = editGraph(toOnnx(build(false).m), (nodes, model) => {
      // Each row's largest id as a factor, [batch, 1]: computed from the input like the exporter's multiplier.
      model.graph!.initializer!.push({ name: 'axis1', dataType: 7, dims: [1], rawData: new Uint8Array(BigInt64Array.of(1n).buffer) });
      const mul = byName(nodes, 'rnn/last_masked_0_node');
      nodes.splice(nodes.indexOf(mul), 0,
        { opType: 'Cast', name: 'ids_f', input: ['input'], output: ['ids_f'], attribute: [{ name: 'to', type: 2, i: 1 }] },
        { opType: 'ReduceMax', name: 'largest', input: ['ids_f'], output: ['largest'], attribute: [{ name: 'axes', type: 7, ints: [1] }, { name: 'keepdims', type: 2, i: 1 }] });
      mul.input = [mul.input![0], 'largest'];
    });
    // The factor changes the file's numbers, so dropping it as plumbing would import other numbers.
    const x = ids([[3, 4, 5, 0, 0], [1, 2, 0, 0, 0]]);
    const plain = await ortPredict(await ortSession(toOnnx(build(false).m)), x);
    expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), plain)).toBeGreaterThan(1e-3);
    expect(() => modelFromOnnx(bytes, 'factor.onnx')).toThrow(/factor\.onnx: node 'rnn\/last_masked_0_node' \(Mul\): the final state of masked recurrent node 'rnn\/GRU_node' is used without exportOnnx's Mul by "row has a real step"/);
  });

  it("a masked sequence used without the exporter's restore is refused", () => {
    const bytes = editGraph(toOnnx(build(true).m), (nodes) => {
      const restore = byName(nodes, 'rnn/seq_masked_0_node');
      const pad = byName(nodes, 'rnn/seq_masked_0_padded_node');
      const reader = nodes.find((n) => n.input?.includes(restore.output![0]))!;
      reader.input = reader.input!.map((i) => (i === restore.output![0] ? pad.input![0] : i));
    });
    expect(() => modelFromOnnx(bytes, 'norestore.onnx')).toThrow(/norestore\.onnx: node '.*' \(MatMul\): the sequence of masked recurrent node 'rnn\/GRU_node' is used without exportOnnx's restore/);
  });

  it('a bidirectional merge whose backward input skips the restore is refused', () => {
    const bytes = editGraph(toOnnx(build(true, true).m), (nodes) => {
      const merge = nodes.find((n) => n.opType === 'Concat' && n.name?.startsWith('rnn/merge'))!;
      merge.input = [merge.input![0], byName(nodes, 'rnn/seq_masked_1_padded_node').input![0]];
    });
    expect(() => modelFromOnnx(bytes, 'bimerge.onnx')).toThrow(/bimerge\.onnx: node 'rnn\/merge_node' \(Concat\): input 1 is not direction 1 of masked recurrent node 'rnn\/GRU_node' as exportOnnx writes it/);
  });
});

describe("a Gather on a recurrent sequence is the last step only at the node's own step count", () => {
  const N = 5, F = 3, U = 2;
  /** Gemm -> RepeatVector(N) -> LSTM sequence -> Gather(step k) on (batch, F) input: the graph input's dims[1] is F, not N. */
  const repeated = (k: number) => {
    const g = new GraphBuilder();
    const d = g.node('Gemm', ['x', g.floats('Wd', values(F * 4, 1), [F, 4]), g.floats('bd', values(4, 2), [4])]);
    const rep = g.node('Tile', [g.node('Unsqueeze', [d, g.ints([1])]), g.ints([1, N, 1])]);
    const [Y] = g.nodeN('LSTM', [g.node('Transpose', [rep], { perm: [1, 0, 2] }), g.floats('W', values(16 * U, 3), [1, 4 * U, 4]),
      g.floats('R', values(4 * U * U, 4), [1, 4 * U, U]), g.floats('B', values(8 * U, 5), [1, 8 * U])], { hidden_size: U }, 'lstm', 2);
    const seq = g.node('Transpose', [g.node('Squeeze', [Y, g.ints([1])])], { perm: [1, 0, 2] });
    return bytesOf(g, g.node('Gather', [seq, g.ints([k], [])], { axis: 1 }, 'step'), [2, F], [2, U]);
  };

  it('step F - 1 = 2 of 5 (the input width, not the sequence) is refused', () => {
    expect(() => modelFromOnnx(repeated(F - 1), 'middle.onnx')).toThrow(/middle\.onnx: node 'step_node' \(Gather\): only the last time step \(index -1 or 4\) can be taken from a recurrent output; index 2 of 5 steps/);
  });

  it('step N - 1 and -1 import and match ONNX Runtime', async () => {
    const x = rl.tensor(values(2 * F, 9), [2, F]);
    for (const k of [N - 1, -1]) {
      const bytes = repeated(k);
      const back = modelFromOnnx(bytes, 'last.onnx');
      expect(back.layers.map((l) => l.className)).toEqual(['Dense', 'RepeatVector', 'LSTM']);
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe('per-feature operators on data whose features are not where they look', () => {
  it('a BatchNormalization on time-major (steps, batch, features) data, which normalizes the batch axis, is refused', () => {
    const g = new GraphBuilder();
    const bn = g.node('BatchNormalization', [g.node('Transpose', ['x'], { perm: [1, 0, 2] }), g.floats('s', [2, 0.5, 3], [3]), g.floats('b', [1, -1, 0.5], [3]),
      g.floats('m', [0.3, -0.2, 0.1], [3]), g.floats('v', [0.5, 2, 1], [3])], {}, 'bn');
    const y = g.node('Transpose', [bn], { perm: [1, 0, 2] });
    expect(() => modelFromOnnx(bytesOf(g, y, [3, 4, 3], [3, 4, 3]), 'bn.onnx')).toThrow(/bn\.onnx: node 'bn_node' \(BatchNormalization\): normalizes axis 1, which here is the batch of time-major/);
  });

  it('a bias Add after a MatMul transposed to (batch, units, steps), which adds along the steps, is refused', () => {
    const g = new GraphBuilder();
    const tr = g.node('Transpose', [g.node('MatMul', ['x', g.floats('W', values(3 * 4, 1), [3, 4])])], { perm: [0, 2, 1] });
    const y = g.node('Transpose', [g.node('Add', [tr, g.floats('b', [10, 20, 30, 40], [4])], {}, 'steps_bias')], { perm: [0, 2, 1] });
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', 4, 3], ['batch', 4, 4]), 'bias.onnx')).toThrow(/bias\.onnx: node 'steps_bias_node' \(Add\): a bias Add on \(batch, features, steps\) data adds along its last axis/);
  });
});

describe("PyTorch's torch.cat((h_n[-2], h_n[-1]), dim=-1) of a bidirectional GRU", () => {
  const catModel = (axis: number) => {
    const g = new GraphBuilder();
    const emb = g.node('Gather', [g.floats('emb', values(V * E, 1), [V, E]), 'x']);
    const [, Yh] = g.nodeN('GRU', [g.node('Transpose', [emb], { perm: [1, 0, 2] }), g.floats('W', values(2 * 3 * H * E, 2), [2, 3 * H, E]),
      g.floats('R', values(2 * 3 * H * H, 3), [2, 3 * H, H]), g.floats('B', values(2 * 6 * H, 4), [2, 6 * H])], { hidden_size: H, direction: 'bidirectional', linear_before_reset: 1 }, 'gru', 2);
    const cat = g.node('Concat', [g.node('Gather', [Yh, g.ints([-2], [])]), g.node('Gather', [Yh, g.ints([-1], [])])], { axis }, 'cat');
    const y = g.node('Gemm', [cat, g.floats('fc', values(2 * 2 * H, 5), [2, 2 * H]), g.floats('fcb', [0.1, 0.2], [2])], { transB: 1 });
    return g.toBytes({ name: 'x', elemType: 'int64', shape: ['batch', T] }, { name: y, elemType: 'float32', shape: ['batch', 2] }, 'torch_jit', '');
  };

  it('axis -1 imports as a concat Bidirectional and matches ONNX Runtime', async () => {
    const bytes = catModel(-1);
    const back = modelFromOnnx(bytes, 'cat.onnx');
    expect(back.layers.map((l) => l.className)).toEqual(['Embedding', 'Bidirectional', 'Dense']);
    const x = tokenIds(4, T, V, 2);
    expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, await ortPredict(await ortSession(bytes), x))).toBeLessThanOrEqual(1e-5);
  });

  it('axis -2 (0: stacking the batches) is still refused', () => {
    expect(() => modelFromOnnx(catModel(-2), 'cat0.onnx')).toThrow(/cat0\.onnx: node 'cat_node' \(Concat\): a direction merge must concatenate the features \(axis 1 or -1 of rank 2\), got axis -2/);
  });
});

describe("errors of rnnlab's layer constructors name the file and node", () => {
  it('a MatMul weight with zero units', () => {
    const g = new GraphBuilder();
    const y = g.node('MatMul', ['x', g.floats('W', [], [3, 0])], {}, 'empty');
    let err: unknown;
    try { modelFromOnnx(bytesOf(g, y, ['batch', 4, 3], ['batch', 4, 0]), 'zero.onnx'); } catch (e) { err = e; }
    expect((err as Error).name).toBe('OnnxImportError');
    expect((err as Error).message).toMatch(/^zero\.onnx: node 'empty_node' \(MatMul\): cannot make its Dense layer 1: /);
  });

  it('a Conv with stride 0', () => {
    const g = new GraphBuilder();
    const conv = g.node('Conv', [g.node('Transpose', ['x'], { perm: [0, 2, 1] }), g.floats('W', [1, 1, 1, 1, 1, 1], [1, 3, 2])], { kernel_shape: [2], strides: [0] }, 'stride0');
    const y = g.node('Transpose', [conv], { perm: [0, 2, 1] });
    expect(() => modelFromOnnx(bytesOf(g, y, ['batch', 4, 3], ['batch', 4, 1]), 'stride.onnx')).toThrow(/^stride\.onnx: node 'stride0_node' \(Conv\): cannot (make|build) its Conv1D layer 1: /);
  });
});

describe('damaged or mislabelled files', () => {
  const layerNorm = (opset?: number) => {
    const g = new GraphBuilder();
    const y = g.node('LayerNormalization', ['x', g.floats('s', [1, 2, 3], [3]), g.floats('b', [0, 0, 0], [3])], { axis: -1 }, 'ln');
    return bytesOf(g, y, ['batch', 4, 3], ['batch', 4, 3], opset);
  };

  it('opsets outside 9 to 18, or none, are refused naming the file', () => {
    expect(() => modelFromOnnx(layerNorm(7), 'o7.onnx')).toThrow(/^o7\.onnx: opset 7 is not imported \(opsets 9 to 18 are/);
    expect(() => modelFromOnnx(layerNorm(99), 'o99.onnx')).toThrow(/^o99\.onnx: opset 99 is not imported/);
    const none = editGraph(layerNorm(), (_, model) => { model.opsetImport = []; });
    expect(() => modelFromOnnx(none, 'none.onnx')).toThrow(/^none\.onnx: the model declares no opset of the default ONNX domain/);
    expect(modelFromOnnx(layerNorm(17), 'o17.onnx').layers.map((l) => l.className)).toEqual(['LayerNormalization']);
  });

  it('an operator younger than the declared opset is refused naming the node', () => {
    expect(() => modelFromOnnx(layerNorm(16), 'o16.onnx')).toThrow(/^o16\.onnx: node 'ln_node' \(LayerNormalization\): LayerNormalization exists from opset 17, but the model declares opset 16/);
  });

  const mlp = () => toOnnx(rl.sequential({ layers: [L.dense({ units: 3, inputShape: [2] }), L.dense({ units: 1 })] }));
  const gemmWeight = (dims: number[]) => editGraph(mlp(), (nodes, model) => {
    const gemm = nodes.find((n) => n.opType === 'Gemm')!;
    model.graph!.initializer!.find((t) => t.name === gemm.input![1])!.dims = dims;
  });

  it('a Gemm weight that is not 2-D is refused naming its shape', () => {
    expect(() => modelFromOnnx(gemmWeight([2, 3, 1]), 'w3.onnx')).toThrow(/^w3\.onnx: node '.*' \(Gemm\): the Gemm weight '.*' has shape \[2,3,1\]; a Dense kernel is 2-D/);
    expect(() => modelFromOnnx(gemmWeight([6]), 'w1.onnx')).toThrow(/^w1\.onnx: node '.*' \(Gemm\): the Gemm weight '.*' has shape \[6\]; a Dense kernel is 2-D/);
  });

  it('a missing Embedding table is named as a missing initializer', () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 9, outputDim: 3, inputLength: 4 }), L.lstm({ units: 2 })] });
    const bytes = editGraph(toOnnx(m), (nodes, model) => {
      const gather = nodes.find((n) => n.opType === 'Gather')!;
      model.graph!.initializer = model.graph!.initializer!.filter((t) => t.name !== gather.input![0]);
    });
    expect(() => modelFromOnnx(bytes, 'notable.onnx')).toThrow(/^notable\.onnx: node '.*' \(Gather\) reads '.*embeddings.*', which is neither an initializer, a node's output nor the graph input \(a missing initializer\?\)/);
  });
});
