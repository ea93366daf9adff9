/**
 * The sigmoid rule (exactly 0 below -88.7228317) is a rule for the model's outputs, so where rnnlab reproduces those
 * outputs it must follow it, and where a sigmoid is only a value it must not:
 * - evaluate with binaryCrossentropy folds the final sigmoid into the loss and hands user metrics the probabilities
 *   back; they must be predict's, 0 below the threshold, not the 5.5e-42 a plain 1 / (1 + e^-x) gives at -88.8.
 * - softplus' and logSigmoid's gradients are sigmoid(x) and sigmoid(-x) as numbers (tfjs's), nonzero where
 *   softplus(x) itself is (3.8e-44 at -100); the rule zeroed them on both backends and precisions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { SIGMOID_ZERO_BELOW } from '../../src/backend/reference/pointwise.js';

const backends = rl.backendInfo().addon ? ['native', 'reference'] as const : ['reference'] as const;

afterEach(() => {
  rl.setPrecision(32);
  rl.setBackend(backends[0]);
});

describe('metrics see the probabilities predict gives', () => {
  // Dense(1) with kernel 1 and bias 0: each input is its own logit.
  const logits = [-95, -90, -88.8, Math.fround(SIGMOID_ZERO_BELOW), -88.7, -50, 0, 3, 100];

  for (const backend of backends) {
    it(`binaryCrossentropy's folded sigmoid follows the rule in evaluate (${backend})`, () => {
      rl.setBackend(backend);
      const m = rl.sequential();
      m.add(rl.layers.dense({ units: 1, inputShape: [1], activation: 'sigmoid', kernelInitializer: 'ones', biasInitializer: 'zeros' }));
      let seen: number[] = [];
      const capture = (_y: rl.Tensor, p: rl.Tensor): rl.Tensor => { seen = Array.from(p.dataSync()); return rl.mean(p); };
      const zeros = (_y: rl.Tensor, p: rl.Tensor): rl.Tensor => rl.sum(rl.cast(rl.equal(p, 0), 'float32'));
      m.compile({ loss: 'binaryCrossentropy', optimizer: 'sgd', metrics: [capture, zeros] });
      const x = rl.tensor2d(logits.map((v) => [v]));
      const y = rl.zeros([logits.length, 1]);
      const predicted = Array.from(m.predict(x).dataSync());
      expect(predicted.slice(0, 3)).toEqual([0, 0, 0]);
      const ev = m.evaluate(x, y, { batchSize: logits.length }) as rl.Tensor[];
      expect(seen.slice(0, 3)).toEqual([0, 0, 0]);
      expect(ev[2].dataSync()[0]).toBe(3);
      // From the threshold up, the subnormals and the rest as predict's (the native exp may differ in the last bit).
      expect(seen.length).toBe(logits.length);
      seen.forEach((p, i) => expect(Math.abs(p - predicted[i])).toBeLessThanOrEqual(1e-6 * predicted[i] + 2e-45));
      expect(seen[3]).toBeGreaterThan(0);
      expect(seen[4]).toBeGreaterThan(0);
    });
  }
});

describe('softplus and logSigmoid gradients are tfjs\'s, not the sigmoid rule', () => {
  const xs = [-100, -88.73, -88.7228, -50, -1, 0, 2.5, 88.5, 100];
  const logistic = (v: number): number => 1 / (1 + Math.exp(-v));

  for (const backend of backends) {
    for (const precision of [32, 64] as const) {
      it(`d softplus = sigmoid(x), d logSigmoid = sigmoid(-x) (${backend}, float${precision})`, () => {
        rl.setBackend(backend);
        rl.setPrecision(precision);
        const x = rl.tensor1d(xs);
        const xv = Array.from(x.dataSync());
        const round = precision === 32 ? Math.fround : (v: number) => v;
        const dSoftplus = Array.from(rl.grad((a: rl.Tensor) => rl.sum(rl.softplus(a)))(x).dataSync());
        const dLogSigmoid = Array.from(rl.grad((a: rl.Tensor) => rl.sum(rl.logSigmoid(a)))(x).dataSync());
        xv.forEach((v, i) => {
          if (precision === 32) {
            expect(dSoftplus[i]).toBe(round(logistic(v)));
            expect(dLogSigmoid[i]).toBe(round(logistic(-v)));
          } else {
            expect(Math.abs(dSoftplus[i] - logistic(v))).toBeLessThanOrEqual(1e-15 * logistic(v));
            expect(Math.abs(dLogSigmoid[i] - logistic(-v))).toBeLessThanOrEqual(1e-15 * logistic(-v));
          }
        });
        // Below the rule's threshold: nonzero, as softplus(x) itself is.
        expect(dSoftplus[0]).toBeGreaterThan(0);
        expect(dSoftplus[1]).toBeGreaterThan(0);
        expect(dLogSigmoid[xv.length - 1]).toBeGreaterThan(0);
        expect(rl.softplus(x).dataSync()[0]).toBeGreaterThan(0);
      });
    }
  }
});
