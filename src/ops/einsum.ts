/**
 * tfjs's einsum over one or two tensors ('ij,jk->ik', 'ij->ji', 'i,i->'); a repeated index within one term and
 * '...' are refused, as tfjs refuses them. A plain loop over every output and summed index; no gradient (tfjs 4.22
 * has none either).
 */
import { sizeOf, type DType, type Tensor, type TensorLike } from '../tensor.js';
import { alloc, asTensor, result, strides, upcast } from './convert.js';

export function einsum(equation: string, ...tensors: TensorLike[]): Tensor {
  if (typeof equation !== 'string') throw new Error(`einsum: equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s/g, '');
  if (eq.includes('...')) throw new Error(`einsum: ellipses ('...') are not supported (equation '${equation}')`);
  if (!eq.includes('->')) throw new Error(`einsum: equation '${equation}' needs an explicit output ('->'), as tfjs's`);
  const parts = eq.split('->');
  if (parts.length !== 2) throw new Error(`einsum: equation '${equation}' must have exactly one '->', got ${parts.length - 1}`);
  const [lhs, given] = parts;
  if (!/^[a-zA-Z]*$/.test(given)) throw new Error(`einsum: output term '${given}' of equation '${equation}' must be letters only`);
  const terms = lhs.split(',');
  if (terms.length !== tensors.length) throw new Error(`einsum: equation '${equation}' has ${terms.length} input term(s) but ${tensors.length} tensor(s) were given`);
  if (terms.length < 1 || terms.length > 2) throw new Error(`einsum: 1 or 2 input tensors are supported, got ${terms.length}`);
  const ts = tensors.map((x, i) => asTensor(x, `tensors[${i}]`, 'einsum'));
  const sizes = new Map<string, number>();
  terms.forEach((term, i) => {
    if (!/^[a-zA-Z]*$/.test(term)) throw new Error(`einsum: term '${term}' must be letters only`);
    if (term.length !== ts[i].rank) throw new Error(`einsum: term '${term}' has ${term.length} indices but tensor ${i} has rank ${ts[i].rank}`);
    if (new Set(term).size !== term.length) throw new Error(`einsum: a repeated index within one term ('${term}') is not supported`);
    [...term].forEach((c, a) => {
      const d = ts[i].shape[a];
      if (sizes.has(c) && sizes.get(c) !== d) throw new Error(`einsum: index '${c}' has size ${sizes.get(c)} and ${d}`);
      sizes.set(c, d);
    });
  });
  const out = given;
  for (const c of out) if (!sizes.has(c)) throw new Error(`einsum: output index '${c}' does not appear in the inputs of '${equation}'`);
  if (new Set(out).size !== out.length) throw new Error(`einsum: output '${out}' repeats an index`);
  const summed = [...sizes.keys()].filter((c) => !out.includes(c));
  const outShape = [...out].map((c) => sizes.get(c)!), sumShape = summed.map((c) => sizes.get(c)!);
  const letters = [...out, ...summed], pos = new Map(letters.map((c, i) => [c, i]));
  const walks = ts.map((t, i) => { const st = strides(t.shape); return [...terms[i]].map((c, a) => [pos.get(c)!, st[a]] as const); });
  const dtype = ts.map((t): DType => (t.dtype === 'bool' ? 'int32' : t.dtype)).reduce((a, b) => upcast(a, b));
  const n = sizeOf(outShape), m = sizeOf(sumShape), values = alloc(n, dtype);
  const idx = new Array<number>(letters.length).fill(0), dims = [...outShape, ...sumShape];
  for (let o = 0; o < n; o++) {
    let rem = o;
    for (let a = outShape.length - 1; a >= 0; a--) { idx[a] = rem % dims[a]; rem = Math.floor(rem / dims[a]); }
    let acc = 0;
    for (let s = 0; s < m; s++) {
      let r = s;
      for (let a = letters.length - 1; a >= outShape.length; a--) { idx[a] = r % dims[a]; r = Math.floor(r / dims[a]); }
      let prod = 1;
      walks.forEach((w, i) => { let off = 0; for (const [p, st] of w) off += idx[p] * st; prod *= ts[i].values[off]; });
      acc += prod;
    }
    values[o] = acc;
  }
  return result(values, outShape, dtype);
}
