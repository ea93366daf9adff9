// A direction merge (Concat / Add of two final states) imports as a Bidirectional only when both inputs are Gathers of
// one recurrent node's own Y_h: PyTorch's stacked h_n[0] beside h_n[-1] reads two different layers, and importing it
// as layer 0's two directions would predict numbers PyTorch never computes (0.19 off on encoder2_o14).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx } from '../../src/onnx/index.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const DIR = join(__dirname, '..', 'fixtures', 'torch_onnx');

type Model = ReturnType<ReturnType<typeof onnxSchema>['ModelProto']['decode']>;
type NodeList = NonNullable<NonNullable<Model['graph']>['node']>;

/** The fixture's bytes with the scalar int64 constant of each h_n[k] Gather mapped by `index` (k -> new k). */
function withStateIndices(name: string, index: Record<string, bigint>, edit?: (nodes: NodeList) => void): Uint8Array {
  const schema = onnxSchema();
  const model = schema.ModelProto.decode(readFileSync(join(DIR, `${name}.onnx`)));
  const nodes = model.graph!.node!;
  const constant = new Map(nodes.filter((n) => n.opType === 'Constant').map((n) => [n.output![0], n.attribute![0].t!]));
  for (const gather of nodes.filter((n) => n.opType === 'Gather')) {
    const t = constant.get(gather.input![1]);
    if (!t?.rawData || t.dims?.length) continue;
    const k = new BigInt64Array(Uint8Array.from(t.rawData).buffer)[0];
    if (String(k) in index) t.rawData = new Uint8Array(BigInt64Array.from([index[String(k)]]).buffer);
  }
  edit?.(nodes);
  return schema.ModelProto.encode(model).finish();
}

const firstCase = (name: string) => {
  const c = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')).cases[0] as { input: number[]; shape: number[]; torch_output: number[] };
  return { x: rl.tensor(Int32Array.from(c.input), c.shape, 'int32'), torch: c.torch_output };
};

describe('merging final states of a stacked bidirectional GRU', () => {
  it("cat(h_n[0], h_n[-1]) of two layers (the reviewer's edit of encoder2_o14) is refused naming the Concat and layer 0", async () => {
    const bytes = withStateIndices('encoder2_o14', { '-2': 0n });
    // ONNX Runtime computes layer 0 forward beside layer 1 backward, which no Bidirectional of either layer gives.
    const { x, torch } = firstCase('encoder2_o14');
    expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), torch)).toBeGreaterThan(1e-3);
    expect(() => modelFromOnnx(bytes, 'mixed.onnx'))
      .toThrow(/mixed\.onnx: node '\/Concat' \(Concat\): input 1 \('\/Gather_1_output_0'\) is not a direction of recurrent node '\/rnn\/GRU'/);
  });

  it('h_n[0] + h_n[-1] (a sum merge of two layers) is refused the same way', () => {
    const bytes = withStateIndices('encoder2_first_last_o14', {}, (nodes) => {
      const concat = nodes.find((n) => n.name === '/Concat')!;
      concat.opType = 'Add';
      concat.attribute = [];
    });
    expect(() => modelFromOnnx(bytes, 'sum.onnx')).toThrow(/sum\.onnx: node '\/Concat' \(Add\): input 1 .* is not a direction of recurrent node '\/rnn\/GRU'/);
  });

  it('cat(h_n[1], h_n[2]) (layer 0 backward, layer 1 forward) is refused, not read as a swapped merge of layer 0', () => {
    const bytes = withStateIndices('encoder2_o14', { '-2': 1n, '-1': 2n });
    expect(() => modelFromOnnx(bytes, 'swap.onnx')).toThrow(/swap\.onnx: node '\/Concat' \(Concat\): input 1 .* is not a direction of recurrent node '\/rnn\/GRU'/);
  });

  it('cat(h_n[2], h_n[3]) (the last layer by non-negative rows) still imports and equals PyTorch', () => {
    const bytes = withStateIndices('encoder2_o14', { '-2': 2n, '-1': 3n });
    const m = modelFromOnnx(bytes, 'rows.onnx');
    expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'Bidirectional', 'Bidirectional', 'Dense']);
    const { x, torch } = firstCase('encoder2_o14');
    expect(maxAbsDiff(m.predict(x).values, torch)).toBeLessThanOrEqual(1e-5);
  });

  it('cat(h_n[0], h_n[1]) of one layer (both its directions) still imports and equals PyTorch', () => {
    const bytes = withStateIndices('encoder_o17_dyn', { '-2': 0n, '-1': 1n });
    const m = modelFromOnnx(bytes, 'one.onnx');
    expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'Bidirectional', 'Dense']);
    const { x, torch } = firstCase('encoder_o17_dyn');
    expect(maxAbsDiff(m.predict(x).values, torch)).toBeLessThanOrEqual(1e-5);
  });
});
