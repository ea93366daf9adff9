/** matMul (batched, with broadcast batch dimensions) on the native GEMM, and transpose. */
import { Act, float32Kernels } from '../backend/index.js';
import { Tensor, sizeOf, type TensorLike } from '../tensor.js';
import { alloc, asTensor, kernelFloats, result, shownArg, upcast } from './convert.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { permute } from './transpose.js';

/**
 * a @ b over the last two axes; leading (batch) axes broadcast. float32 runs on the GEMM kernel, in fp32 even under
 * mixed_bfloat16: as in Keras, the policy belongs to layers (their products run on src/autograd/ops.ts and friends),
 * never to plain tensor ops (matMul, dot, outerProduct, conv1d, basicLSTMCell and the ops built on them).
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const x = asTensor(a, 'a', 'matMul'), y = asTensor(b, 'b', 'matMul');
  // A truthy non-boolean ('false') would transpose; null is left out, as tfjs reads it.
  for (const [flag, value] of [['transposeA', transposeA], ['transposeB', transposeB]] as const) {
    if (value !== null && typeof value !== 'boolean') throw new Error(`matMul: ${flag} must be true or false, got ${shownArg(value)}`);
  }
  if (x.rank < 2 || y.rank < 2) throw new Error(`Error in matMul: inputs must have the same rank of at least 2, got ranks ${x.rank} and ${y.rank}.`);
  const [m, kA] = transposeA ? [x.shape[x.rank - 1], x.shape[x.rank - 2]] : [x.shape[x.rank - 2], x.shape[x.rank - 1]];
  const [kB, n] = transposeB ? [y.shape[y.rank - 1], y.shape[y.rank - 2]] : [y.shape[y.rank - 2], y.shape[y.rank - 1]];
  if (kA !== kB) {
    throw new Error(`Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${x.shape.join(',')} and ${y.shape.join(',')} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const batchA = x.shape.slice(0, -2), batchB = y.shape.slice(0, -2);
  const batch = broadcastShape(batchA, batchB, 'matMul (batch dimensions)');
  const batches = sizeOf(batch);
  const ia = broadcastIndex(batchA, batch), ib = broadcastIndex(batchB, batch);
  const dtype = upcast(x.dtype, y.dtype) === 'float32' ? 'float32' : 'int32';
  const out = alloc(batches * m * n, dtype);
  const sa = m * kA, sb = kA * n, so = m * n;
  if (dtype === 'float32') {
    const K = float32Kernels();
    const ad = kernelFloats(x), bd = kernelFloats(y);
    for (let i = 0; i < batches; i++) {
      const pa = (ia ? ia[i] : i) * sa, pb = (ib ? ib[i] : i) * sb;
      K.gemm(transposeA, transposeB, m, n, kA, 1, ad.subarray(pa, pa + sa), bd.subarray(pb, pb + sb), 0,
        (out as Float32Array).subarray(i * so, (i + 1) * so), null, Act.linear);
    }
  } else {
    const ad = x.values, bd = y.values;
    for (let i = 0; i < batches; i++) {
      const pa = (ia ? ia[i] : i) * sa, pb = (ib ? ib[i] : i) * sb;
      for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) {
        let acc = 0;
        for (let k = 0; k < kA; k++) acc += ad[pa + (transposeA ? k * m + r : r * kA + k)] * bd[pb + (transposeB ? c * kA + k : k * n + c)];
        out[i * so + r * n + c] = acc;
      }
    }
  }
  return result(out, [...batch, m, n], dtype);
}

/** Permutes the axes; the default reverses them. */
export function transpose(x: TensorLike, perm?: number[]): Tensor {
  const t = asTensor(x, 'x', 'transpose');
  const p = perm ?? [...Array(t.rank).keys()].reverse();
  if (!Array.isArray(p) || p.length !== t.rank) throw new Error(`Error in transpose: rank of input ${t.rank} must match length of perm ${Array.isArray(p) ? p.length : shownArg(p)}.`);
  const seen = new Set<number>();
  for (const a of p) {
    if (!Number.isInteger(a) || a < 0 || a >= t.rank) throw new Error(`All entries in 'perm' must be between 0 and ${t.rank - 1} but got ${shownArg(p)}`);
    if (seen.has(a)) throw new Error(`Error in transpose: perm [${p.join(', ')}] repeats axis ${a}`);
    seen.add(a);
  }
  return result(permute(t.values, t.shape, p, alloc(t.size, t.dtype)), p.map((a) => t.shape[a]), t.dtype);
}
