/**
 * The tfjs API docs' tf.metrics, tf.losses, tf.train and memory/util examples, each written once and run on
 * tfjs and on rnnlab; the printed values must be tfjs's.
 */
import { describe, expect } from 'vitest';
import { snippet, snippetChecked } from './snippet_harness.js';

describe('tfjs API docs: tf.metrics', () => {
  snippet('binaryAccuracy on 2-D and 1-D tensors', (tf) => {
    const x = tf.tensor2d([[1, 1, 1, 1], [0, 0, 0, 0]], [2, 4]);
    const y = tf.tensor2d([[1, 0, 1, 0], [0, 0, 0, 1]], [2, 4]);
    tf.metrics.binaryAccuracy(x, y).print();
    const x1 = tf.tensor1d([1, 1, 1, 1, 0, 0, 0, 0]);
    const y1 = tf.tensor1d([0.2, 0.4, 0.6, 0.8, 0.2, 0.3, 0.4, 0.7]);
    return tf.metrics.binaryAccuracy(x1, y1);
  }, { logs: true });

  snippet('binaryCrossentropy per sample', (tf) => {
    const x = tf.tensor2d([[0], [1], [1], [1]]);
    const y = tf.tensor2d([[0], [0], [0.5], [1]]);
    const crossentropy = tf.metrics.binaryCrossentropy(x, y);
    crossentropy.print();
    return crossentropy;
  }, { logs: true, tol: 1e-5 });

  snippet('sparseCategoricalAccuracy and categoricalAccuracy', (tf) => {
    const yTrue = tf.tensor1d([1, 1, 2, 2, 0]);
    const yPred = tf.tensor2d([[0, 1, 0], [1, 0, 0], [0, 0.4, 0.6], [0, 0.6, 0.4], [0.7, 0.3, 0]]);
    tf.metrics.sparseCategoricalAccuracy(yTrue, yPred).print();
    const x = tf.tensor2d([[0, 0, 0, 1], [0, 0, 0, 1]]);
    const y = tf.tensor2d([[0.1, 0.8, 0.05, 0.05], [0.1, 0.05, 0.05, 0.8]]);
    return tf.metrics.categoricalAccuracy(x, y);
  }, { logs: true });

  snippet('precision and recall of one-hot predictions', (tf) => {
    const x = tf.tensor2d([[0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]]);
    const y = tf.tensor2d([[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0]]);
    tf.metrics.precision(x, y).print();
    tf.metrics.recall(x, y).print();
    return [tf.metrics.precision(x, y), tf.metrics.recall(x, y)];
  }, { logs: true });

  snippet('cosineProximity', (tf) => {
    const yTrue = tf.tensor2d([[1, 0], [1, 0]]);
    const yPred = tf.tensor2d([[1 / Math.sqrt(2), 1 / Math.sqrt(2)], [0, 1]]);
    return tf.metrics.cosineProximity(yTrue, yPred);
  });

  snippet('meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError', (tf) => {
    const mae = tf.metrics.meanAbsoluteError(tf.tensor2d([[0, 1], [0, 0], [2, 3]]), tf.tensor2d([[0, 1], [0, 1], [-2, -3]]));
    const mape = tf.metrics.meanAbsolutePercentageError(tf.tensor2d([[0, 1], [10, 20]]), tf.tensor2d([[0, 1], [11, 24]]));
    const mse = tf.metrics.meanSquaredError(tf.tensor2d([[0, 1], [3, 4]]), tf.tensor2d([[0, 1], [-3, -4]]));
    mae.print();
    mse.print();
    return [mae, mape, mse, tf.metrics.MSE(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 0]]))];
  }, { logs: true, tol: 1e-5 });

  snippet('r2Score', (tf) => {
    const yTrue = tf.tensor2d([[0, 1], [3, 4]]);
    const yPred = tf.tensor2d([[0, 1], [-3, -4]]);
    const r2Score = tf.metrics.r2Score(yTrue, yPred);
    r2Score.print();
    return r2Score;
  }, { logs: true });

  snippet('compile with metric functions and metric names alike', async (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], activation: 'softmax', kernelInitializer: 'ones' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: [tf.metrics.categoricalAccuracy, 'accuracy'] });
    const h = await model.fit(tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[1, 0], [0, 1]]), { epochs: 1 });
    return Object.keys(h.history).length;
  });
});

describe('tfjs API docs: tf.losses', () => {
  snippet('meanSquaredError and absoluteDifference as scalars', (tf) => {
    const labels = tf.tensor2d([[1, 2], [3, 4]]);
    const predictions = tf.tensor2d([[1.5, 2], [2, 5]]);
    return [tf.losses.meanSquaredError(labels, predictions), tf.losses.absoluteDifference(labels, predictions)];
  });

  snippet('softmaxCrossEntropy and sigmoidCrossEntropy from logits', (tf) => {
    const onehot = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const logits = tf.tensor2d([[1, 2, 0.5], [0.2, -1, 3]]);
    const bin = tf.tensor2d([[1, 0], [0, 1]]);
    return [tf.losses.softmaxCrossEntropy(onehot, logits), tf.losses.sigmoidCrossEntropy(bin, tf.tensor2d([[2, -1], [0.5, 0.3]]))];
  });

  snippet('logLoss, hingeLoss, huberLoss, cosineDistance', (tf) => {
    const labels = tf.tensor2d([[1, 0], [0, 1]]);
    const predictions = tf.tensor2d([[0.9, 0.2], [0.3, 0.6]]);
    return [tf.losses.logLoss(labels, predictions), tf.losses.hingeLoss(labels, predictions),
      tf.losses.huberLoss(labels, predictions), tf.losses.cosineDistance(labels, predictions, 1)];
  }, { tol: 1e-5 });

  snippet('weights, every Reduction, labelSmoothing, delta, epsilon, computeWeightedLoss', (tf) => {
    const labels = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
    const logits = tf.tensor2d([[2, -1, 0.5], [0.1, 0.4, -2]]);
    const w = tf.tensor2d([[1], [0]]);
    const R = tf.Reduction;
    const out = [R.NONE, R.MEAN, R.SUM, R.SUM_BY_NONZERO_WEIGHTS].map((r) => tf.losses.absoluteDifference(labels, logits, w, r));
    return [...out, tf.losses.meanSquaredError(labels, logits, tf.tensor1d([1, 2, 0])),
      tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0.1), tf.losses.sigmoidCrossEntropy(labels, logits, w, 0.2),
      tf.losses.huberLoss(labels, logits, undefined, 0.5), tf.losses.logLoss(labels, tf.sigmoid(logits), undefined, 1e-3),
      tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 1, 1])), tf.losses.cosineDistance(labels, logits, 0)];
  }, { tol: 1e-5 });

  snippet('a custom loss in compile built from tf.losses', async (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: (yTrue: any, yPred: any) => tf.losses.meanSquaredError(yTrue, yPred) });
    const h = await model.fit(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [2]]), { epochs: 3, shuffle: false, batchSize: 2 });
    return h.history.loss;
  }, { tol: 1e-4 });
});

describe('tfjs API docs: tf.train and variables', () => {
  snippetChecked('sgd minimize fits a quadratic through variables', (tf) => {
    const xs = tf.tensor1d([0, 1, 2, 3]);
    const ys = tf.tensor1d([1.1, 5.9, 16.8, 33.9]);
    const a = tf.scalar(0.3).variable();
    const b = tf.scalar(0.2).variable();
    const c = tf.scalar(0.1).variable();
    const f = (x: any) => a.mul(x.square()).add(b.mul(x)).add(c);
    const loss = (pred: any, label: any) => pred.sub(label).square().mean();
    const optimizer = tf.train.sgd(0.01);
    const costs: number[] = [];
    for (let i = 0; i < 10; i++) costs.push(optimizer.minimize(() => loss(f(xs), ys), true).dataSync()[0]);
    console.log(`a: ${a.dataSync()}, b: ${b.dataSync()}, c: ${c.dataSync()}`);
    return [costs, Array.from(f(xs).dataSync())];
  }, ({ result }) => {
    const [costs] = result as [number[]];
    expect(costs[9]).toBeLessThan(costs[0] / 4);
  });

  snippet('adam minimize through x.reshape: the same numbers as tfjs', (tf) => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]));
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const y = tf.tensor1d([1, 2, 3]);
    const opt = tf.train.adam(0.1);
    const costs = [0, 1, 2, 3].map(() => opt.minimize(() => x.matMul(w.reshape([2, 1])).reshape([3]).sub(y).square().mean(), true).dataSync()[0]);
    return [costs, w];
    // Adam's epsilon sits inside the bias correction in tfjs, outside in Keras (rnnlab): ~1e-5 apart after steps.
  }, { tol: 1e-4 });

  snippet('tf.variable: assign, trainable, name, and variableGrads', (tf) => {
    const v = tf.variable(tf.zeros([2]), true, 'my_var');
    v.assign(tf.tensor1d([3, 4]));
    const { value, grads } = tf.variableGrads(() => v.square().sum());
    return [v, v.trainable, value, grads.my_var];
  });
});

describe('tfjs API docs: memory and util', () => {
  snippet('tidy keeps only the returned tensor', (tf) => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => {
      const one = tf.scalar(1);
      const a = tf.scalar(2);
      const b = a.square();
      console.log('numTensors (in tidy): ' + (tf.memory().numTensors - before));
      return b.add(one);
    });
    console.log('numTensors (outside tidy): ' + (tf.memory().numTensors - before));
    y.print();
    return y;
  }, { logs: true });

  snippet('keep survives a tidy', (tf) => {
    const before = tf.memory().numTensors;
    let b: any;
    const y = tf.tidy(() => {
      const one = tf.scalar(1);
      const a = tf.scalar(2);
      b = tf.keep(a.square());
      return b.add(one);
    });
    console.log('numTensors (outside tidy): ' + (tf.memory().numTensors - before));
    return [y, b];
  }, { logs: true });

  snippet('util.flatten, sizeFromShape, assert; backends resolve', async (tf) => {
    await tf.ready();
    const flat = tf.util.flatten([[1, 2], [3, 4], [5, [6, [7]]]]);
    let message = '';
    try { tf.util.assert((1 as number) === 2, () => 'x is not 2'); } catch (e) { message = (e as Error).message; }
    await tf.nextFrame();
    return [flat, tf.util.sizeFromShape([3, 4, 2]), message, typeof tf.getBackend(), typeof tf.util.now()];
  });

  snippet('setBackend(\'cpu\') resolves true; tf.layers.input is tf.input', async (tf) => {
    const ok = await tf.setBackend('cpu');
    const x = tf.layers.input({ shape: [3] });
    return [ok, typeof tf.getBackend(), x.shape];
  });

  snippetChecked('browser-only calls fail in Node', (tf) => {
    try { tf.browser.fromPixels({ width: 1, height: 1 }); return 'ran'; } catch (e) { return (e as Error).message; }
  }, ({ result }, lib) => {
    expect(result).not.toBe('ran');
    if (lib === 'rnnlab') expect(result).toMatch(/browser.fromPixels: rnnlab runs in Node/);
  });

  snippetChecked('util.shuffle and shuffleCombo permute in place, together', (tf) => {
    const a = [1, 2, 3, 4, 5];
    const b = [11, 22, 33, 44, 55];
    tf.util.shuffleCombo(a, b);
    tf.util.shuffle(a);
    return [a, b];
  }, ({ result }) => {
    const [a, b] = result as [number[], number[]];
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...b].sort()).toEqual([11, 22, 33, 44, 55]);
  });

  snippetChecked('multinomial samples from probabilities and from logits', (tf) => {
    const probs = tf.tensor([0.75, 0.25]);
    const draws = tf.multinomial(probs, 3, undefined, true);
    const logits = tf.tensor2d([[-20, 5, -20], [5, -20, -20]]);
    return [draws.shape, draws.dtype, tf.multinomial(logits, 4, 1).arraySync()];
  }, ({ result }) => {
    expect(result).toEqual([[3], 'int32', [[1, 1, 1, 1], [0, 0, 0, 0]]]);
  });
});
