/**
 * Op cases written against tfjs's API, run by both rnnlab and @tensorflow/tfjs 4.22 (tfjs_parity.test.ts).
 * Each returns a tensor, a list or an object of tensors, or a number; grads use tf.grad / tf.grads so gradients are
 * compared too. Cases tfjs cannot answer (its bandPart and qr have no usable gradient) are in ops_beyond_tfjs.test.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

const m23 = (tf: Lib) => tf.tensor2d([[1, -2, 3], [4, 5, -6]]);
const sq3 = (tf: Lib) => tf.tensor2d([[2, -1, 0.5], [1, 3, 2], [-0.5, 1, 4]]);

export const cases: Record<string, (tf: Lib) => unknown> = {
  // tf.linalg
  'bandPart int32 (1, 0)': (tf) => tf.linalg.bandPart(tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [3, 3], 'int32'), 1, 0),
  'bandPart batched (-1, 1)': (tf) => tf.linalg.bandPart(tf.range(0, 12).reshape([2, 2, 3]), -1, 1),
  'bandPart bool (0, 0)': (tf) => tf.linalg.bandPart(tf.ones([2, 3], 'bool'), 0, 0),
  'bandPart wide (0, -1)': (tf) => tf.linalg.bandPart(tf.range(1, 9).reshape([2, 4]), 0, -1),
  'bandPart int32 scalar limits': (tf) => tf.linalg.bandPart(tf.ones([3, 3]), tf.scalar(-1, 'int32'), tf.scalar(0, 'int32')),
  'gramSchmidt 2d': (tf) => tf.linalg.gramSchmidt(tf.tensor2d([[1, 1, 0], [1, 0, 1]])),
  'gramSchmidt list': (tf) => tf.linalg.gramSchmidt([tf.tensor1d([3, 4]), tf.tensor1d([1, 0])]),
  'gramSchmidt grad': (tf) => tf.grad((x: any) => tf.linalg.gramSchmidt(x).mul(tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]])).sum())(tf.tensor2d([[1, 1, 0.5], [1, -0.5, 1]])),
  'qr square': (tf) => tf.linalg.qr(sq3(tf)),
  'qr tall': (tf) => tf.linalg.qr(tf.tensor2d([[1, 2], [3, 4], [5, 7]])),
  'qr tall full': (tf) => tf.linalg.qr(tf.tensor2d([[1, 2], [3, 4], [5, 7]]), true),
  'qr wide': (tf) => tf.linalg.qr(tf.tensor2d([[1, 2, 3], [-4, 5, 6]])),
  'qr 1x1 negative': (tf) => tf.linalg.qr(tf.tensor2d([[-3]])),
  'qr batch square': (tf) => tf.linalg.qr(tf.tensor3d([[[1, 2], [3, 4]], [[0, 1], [1, 0]]])),
  'qr zero column gives NaN': (tf) => tf.linalg.qr(tf.tensor2d([[0, 2], [0, 4]])),
  // tf.signal and the window helpers
  'hannWindow 5': (tf) => tf.signal.hannWindow(5),
  'hannWindow 6': (tf) => tf.signal.hannWindow(6),
  'hannWindow 0': (tf) => tf.signal.hannWindow(0),
  'hammingWindow 4': (tf) => tf.signal.hammingWindow(4),
  'hammingWindow 7': (tf) => tf.signal.hammingWindow(7),
  'cosineWindow 4': (tf) => tf.cosineWindow(4, 0.3, 0.7),
  'enclosingPowerOfTwo': (tf) => [1, 2, 3, 5, 8, 1000, 0.3].map((v) => tf.enclosingPowerOfTwo(v)),
  'frame': (tf) => tf.signal.frame(tf.tensor1d([1, 2, 3, 4, 5]), 3, 2),
  'frame padEnd': (tf) => tf.signal.frame(tf.tensor1d([1, 2, 3, 4, 5]), 3, 2, true, 0.5),
  'frame int32 padEnd': (tf) => tf.signal.frame(tf.tensor1d([1, 2, 3, 4, 5], 'int32'), 3, 2, true, 9),
  'frame step > length': (tf) => tf.signal.frame(tf.range(0, 10), 2, 3),
  'frame too short': (tf) => tf.signal.frame(tf.tensor1d([1, 2]), 3, 1),
  'frame grad': (tf) => tf.grad((x: any) => tf.signal.frame(x, 3, 1, true).mul(tf.range(1, 13).reshape([4, 3])).sum())(tf.tensor1d([1, 2, 3, 4])),
  // LSTM cells, movingAverage, fused.matMul
  'basicLSTMCell': (tf) => tf.basicLSTMCell(tf.scalar(1), tf.linspace(-1, 1, 40).reshape([5, 8]), tf.linspace(-0.5, 0.5, 8), tf.tensor2d([[1, 2, 3], [-1, 0, 2]]), tf.tensor2d([[0.1, -0.2], [0.3, 0.4]]), tf.tensor2d([[0.5, 0.5], [-0.5, 1]])),
  'basicLSTMCell grads': (tf) => tf.grads((k: any, d: any) => tf.basicLSTMCell(tf.scalar(1), k, tf.linspace(-0.5, 0.5, 8), d, tf.tensor2d([[0.1, -0.2]]), tf.tensor2d([[0.5, 0.5]]))[1].sum())(
    [tf.linspace(-1, 1, 40).reshape([5, 8]), tf.tensor2d([[1, 2, 3]])]),
  'multiRNNCell': (tf) => {
    const k1 = tf.linspace(-1, 1, 40).reshape([5, 8]), k2 = tf.linspace(1, -1, 32).reshape([4, 8]), b = tf.zeros([8]), fb = tf.scalar(1);
    const cells = [(d: any, c: any, h: any) => tf.basicLSTMCell(fb, k1, b, d, c, h), (d: any, c: any, h: any) => tf.basicLSTMCell(fb, k2, b, d, c, h)];
    const [cs, hs] = tf.multiRNNCell(cells, tf.tensor2d([[1, 2, 3]]), [tf.zeros([1, 2]), tf.ones([1, 2])], [tf.ones([1, 2]), tf.zeros([1, 2])]);
    return [...cs, ...hs];
  },
  'movingAverage': (tf) => tf.movingAverage(tf.tensor1d([1, 2]), tf.tensor1d([3, 5]), 0.9, 2),
  'movingAverage no debias': (tf) => tf.movingAverage(tf.tensor1d([1, 2]), tf.tensor1d([3, 5]), 0.9, undefined, false),
  'movingAverage int32': (tf) => tf.movingAverage(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 5], 'int32'), 0.5, 1),
  'movingAverage grads': (tf) => tf.grads((v: any, x: any) => tf.movingAverage(v, x, 0.8, 3).square().sum())([tf.tensor1d([1, 2]), tf.tensor1d([3, -5])]),
  'fused.matMul relu bias': (tf) => tf.fused.matMul({ a: m23(tf), b: sq3(tf), bias: tf.tensor1d([0.5, -1, 0]), activation: 'relu' }),
  'fused.matMul transposed leakyrelu': (tf) => tf.fused.matMul({ a: m23(tf), b: m23(tf), transposeB: true, activation: 'leakyrelu', leakyreluAlpha: 0.1 }),
  'fused.matMul prelu': (tf) => tf.fused.matMul({ a: m23(tf), b: sq3(tf), activation: 'prelu', preluActivationWeights: tf.tensor1d([0.1, 0.2, 0.3]) }),
  'fused.matMul grads sigmoid': (tf) => tf.grads((a: any, b: any, c: any) => tf.fused.matMul({ a, b, bias: c, activation: 'sigmoid' }).sum())([m23(tf), sq3(tf), tf.tensor1d([1, 0, -1])]),
  'fused.matMul grads elu': (tf) => tf.grads((a: any, b: any) => tf.fused.matMul({ a, b, activation: 'elu' }).sum())([m23(tf), sq3(tf)]),
  // sparse, integer and random helpers
  'sparseToDense 1d default 1': (tf) => tf.sparseToDense(tf.tensor1d([0, 2], 'int32'), tf.tensor1d([5, 6]), [4], 1),
  'sparseToDense 2d int32': (tf) => tf.sparseToDense(tf.tensor2d([[0, 1], [1, 0]], [2, 2], 'int32'), tf.tensor1d([5, 6], 'int32'), [2, 3]),
  'sparseToDense scalar value': (tf) => tf.sparseToDense(tf.tensor1d([0, 2], 'int32'), tf.scalar(7), [4]),
  'sparseToDense unsorted': (tf) => tf.sparseToDense(tf.tensor1d([2, 0], 'int32'), tf.tensor1d([5, 6]), [4]),
  'sparseToDense bool': (tf) => tf.sparseToDense(tf.tensor1d([2, 0], 'int32'), tf.tensor1d([true, true], 'bool'), [4], false),
  'sparseSegmentSum': (tf) => tf.sparse.sparseSegmentSum(tf.tensor2d([[1, 2, 3, 4], [-1, -2, -3, -4], [6, 7, 8, 9]]), tf.tensor1d([0, 1, 2], 'int32'), tf.tensor1d([0, 2, 2], 'int32')),
  'sparseSegmentSum cancel': (tf) => tf.sparse.sparseSegmentSum(tf.tensor2d([[1, 2, 3, 4], [-1, -2, -3, -4], [6, 7, 8, 9]]), tf.tensor1d([0, 1], 'int32'), tf.tensor1d([0, 0], 'int32')),
  'sparseSegmentMean': (tf) => tf.sparse.sparseSegmentMean(tf.tensor2d([[1, 2, 3, 4], [-1, -2, -3, -4], [6, 7, 8, 9]]), tf.tensor1d([0, 1, 2], 'int32'), tf.tensor1d([0, 2, 2], 'int32')),
  'sparseSegmentSum int32': (tf) => tf.sparse.sparseSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([0, 2], 'int32'), tf.tensor1d([1, 1], 'int32')),
  'sparseSegmentMean int32': (tf) => tf.sparse.sparseSegmentMean(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([0, 2], 'int32'), tf.tensor1d([1, 1], 'int32')),
  'sparseSegmentSum empty': (tf) => tf.sparse.sparseSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([], 'int32'), tf.tensor1d([], 'int32')),
  'bitwiseAnd': (tf) => tf.bitwiseAnd(tf.tensor1d([5, -3, 12], 'int32'), tf.tensor1d([3, 7, 10], 'int32')),
  'raggedRange int32': (tf) => tf.raggedRange(tf.tensor1d([3, 5, 0], 'int32'), tf.tensor1d([6, 2, 0], 'int32'), tf.tensor1d([1, -1, 1], 'int32')),
  'raggedRange float': (tf) => tf.raggedRange(tf.tensor1d([0.5, 1]), tf.tensor1d([2, 0]), tf.scalar(0.5)),
  'raggedRange scalar start': (tf) => tf.raggedRange(tf.scalar(0, 'int32'), tf.tensor1d([3, 1], 'int32'), tf.scalar(1, 'int32')),
  'sumOutType': (tf) => ['bool', 'int32', 'float32'].map((d) => tf.sumOutType(d)),
  'rand int32 truncates': (tf) => tf.rand([2, 2], () => 1.7, 'int32'),
  'rand float': (tf) => { let i = 0; return tf.rand([3], () => i++ / 4); },
  'batchNorm method': (tf) => m23(tf).batchNorm(tf.tensor1d([1, 0, -1]), tf.tensor1d([1, 2, 4]), tf.tensor1d([0, 1, 0]), tf.tensor1d([2, 1, 0.5]), 0.01),
  // Existing ops: edge cases (dtype, int division, ties, NaN, keepDims, negative axes, empty tensors)
  'div int32 floors': (tf) => tf.div(tf.tensor1d([7, -7, 7, -7, 0], 'int32'), tf.tensor1d([2, 2, -2, -2, 3], 'int32')),
  'floorDiv float': (tf) => tf.floorDiv(tf.tensor1d([7.5, -7.5, 1]), tf.tensor1d([2, 2, 0])),
  'mod signs': (tf) => tf.mod(tf.tensor1d([7, -7, 7, -7]), tf.tensor1d([3, 3, -3, -3])),
  'mod int32': (tf) => tf.mod(tf.tensor1d([7, -7, 7, -7], 'int32'), tf.tensor1d([3, 3, -3, -3], 'int32')),
  'argMax ties and negative axis': (tf) => tf.argMax(tf.tensor2d([[1, 3, 3], [2, 2, 1]]), -1),
  'argMin ties axis 0': (tf) => tf.argMin(tf.tensor2d([[1, 3, 3], [1, 2, 3]]), 0),
  'max NaN propagates': (tf) => tf.max(tf.tensor2d([[1, NaN, 3], [2, 5, 4]]), 1),
  'min keepDims negative axis': (tf) => tf.min(tf.tensor3d([[[1, 2], [3, -4]]]), -1, true),
  'maximum with NaN': (tf) => tf.maximum(tf.tensor1d([1, NaN, 3]), tf.tensor1d([NaN, 2, 1])),
  'mean int32 dtype': (tf) => tf.mean(tf.tensor1d([1, 2, 4], 'int32')),
  'sum bool keepDims': (tf) => tf.sum(tf.tensor2d([[true, false], [true, true]], [2, 2], 'bool'), 0, true),
  'prod int32 negative axis': (tf) => tf.prod(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), -2),
  'cumsum bool': (tf) => tf.cumsum(tf.tensor1d([true, true, false], 'bool')),
  'cumprod int32 exclusive reverse': (tf) => tf.cumprod(tf.tensor1d([1, 2, 3, 4], 'int32'), 0, true, true),
  'logSumExp -Infinity row': (tf) => tf.logSumExp(tf.tensor2d([[-Infinity, -Infinity], [0, 0]]), 1),
  'logSumExp keepDims': (tf) => tf.logSumExp(tf.tensor2d([[1, 2], [3, 4]]), -1, true),
  'softmax with -Infinity': (tf) => tf.softmax(tf.tensor1d([-Infinity, 0, 1])),
  'sqrt negative': (tf) => tf.sqrt(tf.tensor1d([-1, 0, 4])),
  'pow int32': (tf) => tf.pow(tf.tensor1d([2, -3, 0], 'int32'), tf.tensor1d([3, 2, 0], 'int32')),
  'sign NaN and zero': (tf) => tf.sign(tf.tensor1d([NaN, 0, -2, 3])),
  'round half to even': (tf) => tf.round(tf.tensor1d([0.5, 1.5, 2.5, -0.5, -1.5])),
  'abs int32': (tf) => tf.abs(tf.tensor1d([-3, 4], 'int32')),
  'square int32': (tf) => tf.square(tf.tensor1d([-3, 4], 'int32')),
  'equal NaN': (tf) => tf.equal(tf.tensor1d([NaN, 1]), tf.tensor1d([NaN, 1])),
  'relu NaN': (tf) => tf.relu(tf.tensor1d([NaN, -1, 2])),
  'topk ties': (tf) => { const r = tf.topk(tf.tensor1d([1, 3, 3, 2]), 2); return [r.values, r.indices]; },
  'sum empty int32': (tf) => tf.sum(tf.zeros([0, 3], 'int32'), 0),
  'max of int32 keeps dtype': (tf) => tf.max(tf.tensor1d([1, 5, 2], 'int32')),
  'addN int32': (tf) => tf.addN([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')]),
  'clipByValue int32': (tf) => tf.clipByValue(tf.tensor1d([-5, 0, 5], 'int32'), -1, 2),
  'minimum bool': (tf) => tf.minimum(tf.tensor1d([true, false], 'bool'), tf.tensor1d([true, true], 'bool')),
  'isNaN int32': (tf) => tf.isNaN(tf.tensor1d([1, 2], 'int32')),
  'expandDims negative': (tf) => tf.expandDims(tf.tensor2d([[1, 2]]), -1),
  'squaredDifference int32': (tf) => tf.squaredDifference(tf.tensor1d([1, 5], 'int32'), tf.tensor1d([4, 2], 'int32')),
};

/** Cases where tfjs 4.22 throws and rnnlab must throw too (the messages differ; rnnlab's name the argument). */
export const errorCases: Record<string, (tf: Lib) => unknown> = {
  'bandPart numLower too big': (tf) => tf.linalg.bandPart(tf.ones([2, 3]), 3, 0),
  'bandPart rank 1': (tf) => tf.linalg.bandPart(tf.ones([3]), 0, 0),
  'gramSchmidt too many vectors': (tf) => tf.linalg.gramSchmidt(tf.ones([3, 2])),
  'gramSchmidt ragged list': (tf) => tf.linalg.gramSchmidt([tf.ones([2]), tf.ones([3])]),
  'qr rank 1': (tf) => tf.linalg.qr(tf.ones([3])),
  'frame 2-D signal': (tf) => tf.signal.frame(tf.ones([2, 3]), 2, 1),
  'sparseToDense out of range': (tf) => tf.sparseToDense(tf.tensor1d([5], 'int32'), tf.tensor1d([5]), [4]),
  'sparseSegmentSum unsorted ids': (tf) => tf.sparse.sparseSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 2], 'int32'), tf.tensor1d([1, 0], 'int32')),
  'sparseSegmentSum index out of range': (tf) => tf.sparse.sparseSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 5], 'int32'), tf.tensor1d([0, 1], 'int32')),
  'bitwiseAnd float': (tf) => tf.bitwiseAnd(tf.tensor1d([5]), tf.tensor1d([3])),
  'bitwiseAnd broadcast': (tf) => tf.bitwiseAnd(tf.tensor1d([5, 1], 'int32'), tf.scalar(6, 'int32')),
  'raggedRange zero delta': (tf) => tf.raggedRange(tf.tensor1d([0], 'int32'), tf.tensor1d([3], 'int32'), tf.tensor1d([0], 'int32')),
  'movingAverage zeroDebias without step': (tf) => tf.movingAverage(tf.tensor1d([1]), tf.tensor1d([2]), 0.9),
  'movingAverage shape mismatch': (tf) => tf.movingAverage(tf.tensor1d([1]), tf.tensor1d([2, 3]), 0.9, 1),
  'fused.matMul unknown activation': (tf) => tf.fused.matMul({ a: tf.ones([2, 2]), b: tf.ones([2, 2]), activation: 'swish' }),
};
