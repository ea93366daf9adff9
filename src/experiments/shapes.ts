/** The lab's TimeDistributed and RepeatVector demos, with the shapes they print, and the seq2seq's shapes. */
import { layers } from '../layers/index.js';
import { kerasShape } from '../layers/layer.js';
import { sequential } from '../models/sequential.js';
import { Random, setSeed } from '../random.js';
import type { Table } from '../report/table.js';
import { Tensor } from '../tensor.js';
import { additionModel } from './lab_models.js';
import type { ExperimentResult } from './types.js';

const tuple = (s: readonly number[]) => kerasShape([...s]);

function randint(rng: Random, hi: number, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => rng.int(hi)), shape, 'float32');
}

export function shapesExperiment(o: { seed?: number } = {}): ExperimentResult {
  const seed = o.seed ?? 1;
  setSeed(seed);
  const rng = new Random(seed);
  const lines: string[] = [];
  const rows: Table['rows'] = [];

  lines.push('TimeDistributed(Dense(8)) on input_shape=(3, 5):');
  const td = sequential({ layers: [layers.timeDistributed({ layer: layers.dense({ units: 8 }), inputShape: [3, 5] })] });
  td.compile({ optimizer: 'rmsprop', loss: 'mse' });
  const tdIn = randint(rng, 10, [1, 3, 5]);
  const tdOut = td.predict(tdIn);
  lines.push(`  model.output_shape  ${kerasShape(td.outputShape)}`);
  lines.push(`  Shape of input :  ${tuple(tdIn.shape)}`);
  lines.push(`  Shape of output :  ${tuple(tdOut.shape)}`);
  rows.push(['TimeDistributed', 'input', tuple(tdIn.shape)], ['TimeDistributed', 'Dense(8) on each of the 3 steps', tuple(tdOut.shape)]);

  lines.push('', 'Dense(6, input_dim=10) then RepeatVector(3):');
  const rv = sequential();
  rv.add(layers.dense({ units: 6, inputDim: 10 }));
  lines.push(`  ${kerasShape(rv.outputShape)}`);
  rv.add(layers.repeatVector({ n: 3 }));
  lines.push(`  ${kerasShape(rv.outputShape)}`);
  rv.compile({ optimizer: 'rmsprop', loss: 'mse' });
  const rvIn = randint(rng, 1000, [1, 10]);
  const rvOut = rv.predict(rvIn);
  lines.push(`  Shape of input :  ${tuple(rvIn.shape)}`);
  lines.push(`  Shape of output :  ${tuple(rvOut.shape)}`);
  lines.push(`  Input :  [${Array.from(rvIn.values).join(' ')}]`);
  const row = (r: number) => `[${Array.from(rvOut.values.subarray(r * 6, r * 6 + 6), (v) => v.toFixed(2)).join(' ')}]`;
  lines.push(`  Output :  [${row(0)}`, `            ${row(1)}`, `            ${row(2)}]`);
  rows.push(['RepeatVector', 'input', tuple(rvIn.shape)], ['RepeatVector', 'Dense(6)', '(1, 6)'], ['RepeatVector', 'RepeatVector(3)', tuple(rvOut.shape)]);
  let identical = true;
  for (let k = 0; k < 6; k++) if (rvOut.values[k] !== rvOut.values[6 + k] || rvOut.values[k] !== rvOut.values[12 + k]) identical = false;

  lines.push('', 'The addition seq2seq: encoder -> RepeatVector -> decoder (return_sequences) -> TimeDistributed(Dense softmax):');
  const add = additionModel();
  for (const l of add.layers) {
    lines.push(`  ${`${l.name} (${l.className})`.padEnd(40)} ${kerasShape(l.outputShape)}`);
    rows.push(['addition seq2seq', `${l.className}`, kerasShape(l.outputShape)]);
  }
  const finding = `TimeDistributed applies the same Dense to every step, turning ${tuple(tdIn.shape)} into ${tuple(tdOut.shape)}; ` +
    `RepeatVector copies one vector to every step, turning ${tuple(rvIn.shape)} through (1, 6) into ${tuple(rvOut.shape)} with ${identical ? 'three identical rows' : 'rows that differ (unexpected)'}; ` +
    `together they let the seq2seq model read a 7-character query into one 128-vector and write a 4-character answer.`;
  return {
    name: 'shapes',
    title: 'TimeDistributed and RepeatVector: the shapes',
    finding,
    numbers: { timeDistributedOutputSteps: tdOut.shape[1], timeDistributedOutputFeatures: tdOut.shape[2], repeatVectorRepeats: rvOut.shape[1], repeatedRowsIdentical: identical ? 1 : 0 },
    tables: [{ caption: 'Shapes (batch first)', columns: ['demo', 'stage', 'shape'], rows }],
    charts: [],
    lines,
    config: { seed },
    details: { timeDistributed: { input: tdIn.shape, output: tdOut.shape }, repeatVector: { input: rvIn.shape, output: rvOut.shape, values: Array.from(rvOut.values) } },
  };
}
