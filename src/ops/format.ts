/**
 * tfjs's text form of a tensor: values rounded to 7 decimals, columns padded to a common width, and axes
 * longer than 20 shown as their first and last 3 entries around '...'.
 */
import type { Tensor } from '../tensor.js';
import { strides } from './convert.js';

const LIMIT = 20;
const EDGE = 3;

function valueText(v: number, dtype: string): string {
  if (dtype === 'bool') return v === 0 ? 'false' : 'true';
  return String(parseFloat(v.toFixed(7)));
}

export function formatTensor(t: Tensor, verbose = false): string {
  const { shape, dtype } = t;
  const data = t.values;
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const width = new Array<number>(cols).fill(0);
  if (shape.length > 1) for (let i = 0; i < data.length; i++) width[i % cols] = Math.max(width[i % cols], valueText(data[i], dtype).length);
  const cell = (i: number, col: number): string => valueText(data[i], dtype).padEnd(width[col]);
  const st = strides(shape);

  const lines = (offset: number, dim: number, isLast: boolean): string[] => {
    const size = shape[dim];
    const rank = shape.length - dim;
    if (rank === 1) {
      const shown = size > LIMIT ? [...range(0, EDGE), -1, ...range(size - EDGE, size)] : range(0, size);
      return ['[' + shown.map((j) => (j < 0 ? '...' : cell(offset + j, j))).join(', ') + ']'];
    }
    const shown = size > LIMIT ? [...range(0, EDGE), -1, ...range(size - EDGE, size)] : range(0, size);
    const out: string[] = [];
    for (const j of shown) {
      if (j < 0) out.push('...');
      else out.push(...lines(offset + j * st[dim], dim + 1, j === size - 1));
    }
    const sep = rank === 2 ? ',' : '';
    out[0] = '[' + (size > 0 ? out[0] + sep : '');
    for (let i = 1; i < out.length - 1; i++) out[i] = ' ' + out[i] + sep;
    const between = ',\n' + '\n'.repeat(rank - 2);
    // As tfjs: the last line always gets the one-space indent, so a single row prints as ' [[1, 2],]'.
    out[out.length - 1] = ' ' + out[out.length - 1] + ']' + (isLast ? '' : between);
    return out;
  };

  const body = shape.length === 0 ? [dtype === 'bool' ? valueText(data[0], dtype) : String(data[0])] : lines(0, 0, true);
  const head = ['Tensor'];
  if (verbose) head.push(`  dtype: ${dtype}`, `  rank: ${shape.length}`, `  shape: [${shape.join(',')}]`, '  values:');
  return [...head, body.map((l) => '    ' + l).join('\n')].join('\n');
}

function range(a: number, b: number): number[] {
  const r: number[] = [];
  for (let i = a; i < b; i++) r.push(i);
  return r;
}

/** tf.print: writes the tensor's text to the console. */
export function print(x: Tensor, verbose = false): void {
  console.log(formatTensor(x, verbose));
}
