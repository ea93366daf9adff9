/**
 * tfjs-examples cart-pole (cart-pole/cart_pole.js CartPole, cart-pole/index.js PolicyNetwork.train and its reward
 * helpers), ported verbatim apart from the import, the UI hooks and the sizes; run against TensorFlow.js and rnnlab:
 * a custom REINFORCE loop with tf.variableGrads over model.predict, tf.losses.sigmoidCrossEntropy, tf.multinomial,
 * gradients keyed by variable name and optimizer.applyGradients.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAllClose, rl, seededRandom, seedMathRandomPerTest, setWeightValues, tfjs, weightValues } from './tfjs_examples_harness.js';

seedMathRandomPerTest();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function port(tf: any) {
  class CartPole {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [k: string]: any;
    constructor() {
      this.gravity = 9.8;
      this.massCart = 1.0;
      this.massPole = 0.1;
      this.totalMass = this.massCart + this.massPole;
      this.length = 0.5;
      this.poleMoment = this.massPole * this.length;
      this.forceMag = 10.0;
      this.tau = 0.02;
      this.xThreshold = 2.4;
      this.thetaThreshold = 12 / 360 * 2 * Math.PI;
      this.setRandomState();
    }
    setRandomState() {
      this.x = Math.random() - 0.5;
      this.xDot = (Math.random() - 0.5) * 1;
      this.theta = (Math.random() - 0.5) * 2 * (6 / 360 * 2 * Math.PI);
      this.thetaDot = (Math.random() - 0.5) * 0.5;
    }
    getStateTensor() {
      return tf.tensor2d([[this.x, this.xDot, this.theta, this.thetaDot]]);
    }
    update(action: number) {
      const force = action > 0 ? this.forceMag : -this.forceMag;
      const cosTheta = Math.cos(this.theta);
      const sinTheta = Math.sin(this.theta);
      const temp = (force + this.poleMoment * this.thetaDot * this.thetaDot * sinTheta) / this.totalMass;
      const thetaAcc = (this.gravity * sinTheta - cosTheta * temp) / (this.length * (4 / 3 - this.massPole * cosTheta * cosTheta / this.totalMass));
      const xAcc = temp - this.poleMoment * thetaAcc * cosTheta / this.totalMass;
      this.x += this.tau * this.xDot;
      this.xDot += this.tau * xAcc;
      this.theta += this.tau * this.thetaDot;
      this.thetaDot += this.tau * thetaAcc;
      return this.isDone();
    }
    isDone() {
      return this.x < -this.xThreshold || this.x > this.xThreshold || this.theta < -this.thetaThreshold || this.theta > this.thetaThreshold;
    }
  }

  class PolicyNetwork {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [k: string]: any;
    constructor(hiddenLayerSizesOrModel: number | number[] | object) {
      if (hiddenLayerSizesOrModel instanceof tf.LayersModel) {
        this.policyNet = hiddenLayerSizesOrModel;
      } else {
        this.createPolicyNetwork(hiddenLayerSizesOrModel as number | number[]);
      }
    }
    createPolicyNetwork(hiddenLayerSizes: number | number[]) {
      if (!Array.isArray(hiddenLayerSizes)) {
        hiddenLayerSizes = [hiddenLayerSizes];
      }
      this.policyNet = tf.sequential();
      hiddenLayerSizes.forEach((hiddenLayerSize, i) => {
        this.policyNet.add(tf.layers.dense({ units: hiddenLayerSize, activation: 'elu', inputShape: i === 0 ? [4] : undefined }));
      });
      this.policyNet.add(tf.layers.dense({units: 1}));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async train(cartPoleSystem: CartPole, optimizer: any, discountRate: number, numGames: number, maxStepsPerGame: number) {
      const allGradients = {};
      const allRewards: number[][] = [];
      const gameSteps = [];
      for (let i = 0; i < numGames; ++i) {
        cartPoleSystem.setRandomState();
        const gameRewards = [];
        const gameGradients = {};
        for (let j = 0; j < maxStepsPerGame; ++j) {
          const gradients = tf.tidy(() => {
            const inputTensor = cartPoleSystem.getStateTensor();
            return this.getGradientsAndSaveActions(inputTensor).grads;
          });
          this.pushGradients(gameGradients, gradients);
          const action = this.currentActions_[0];
          const isDone = cartPoleSystem.update(action);
          if (isDone) {
            gameRewards.push(0);
            break;
          } else {
            gameRewards.push(1);
          }
        }
        gameSteps.push(gameRewards.length);
        this.pushGradients(allGradients, gameGradients);
        allRewards.push(gameRewards);
        await tf.nextFrame();
      }
      tf.tidy(() => {
        const normalizedRewards = discountAndNormalizeRewards(allRewards, discountRate);
        optimizer.applyGradients(scaleAndAverageGradients(allGradients, normalizedRewards));
      });
      tf.dispose(allGradients);
      return gameSteps;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    getGradientsAndSaveActions(inputTensor: any) {
      const f = () => tf.tidy(() => {
        const [logits, actions] = this.getLogitsAndActions(inputTensor);
        this.currentActions_ = actions.dataSync();
        const labels = tf.sub(1, tf.tensor2d(this.currentActions_, actions.shape));
        return tf.losses.sigmoidCrossEntropy(labels, logits).asScalar();
      });
      return tf.variableGrads(f);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    getLogitsAndActions(inputs: any) {
      return tf.tidy(() => {
        const logits = this.policyNet.predict(inputs);
        const leftProb = tf.sigmoid(logits);
        const leftRightProbs = tf.concat([leftProb, tf.sub(1, leftProb)], 1);
        const actions = tf.multinomial(leftRightProbs, 1, null, true);
        return [logits, actions];
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    pushGradients(record: any, gradients: any) {
      for (const key in gradients) {
        if (key in record) {
          record[key].push(gradients[key]);
        } else {
          record[key] = [gradients[key]];
        }
      }
    }
  }

  function discountRewards(rewards: number[], discountRate: number) {
    const discountedBuffer = tf.buffer([rewards.length]);
    let prev = 0;
    for (let i = rewards.length - 1; i >= 0; --i) {
      const current = discountRate * prev + rewards[i];
      discountedBuffer.set(current, i);
      prev = current;
    }
    return discountedBuffer.toTensor();
  }
  function discountAndNormalizeRewards(rewardSequences: number[][], discountRate: number) {
    return tf.tidy(() => {
      const discounted = [];
      for (const sequence of rewardSequences) {
        discounted.push(discountRewards(sequence, discountRate));
      }
      const concatenated = tf.concat(discounted);
      const mean = tf.mean(concatenated);
      const std = tf.sqrt(tf.mean(tf.square(concatenated.sub(mean))));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const normalized = discounted.map((rs: any) => rs.sub(mean).div(std));
      return normalized;
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function scaleAndAverageGradients(allGradients: any, normalizedRewards: any[]) {
    return tf.tidy(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const gradients: any = {};
      for (const varName in allGradients) {
        gradients[varName] = tf.tidy(() => {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const varGradients = allGradients[varName].map((varGameGradients: any) => tf.stack(varGameGradients));
          const expandedDims: number[] = [];
          for (let i = 0; i < varGradients[0].rank - 1; ++i) {
            expandedDims.push(1);
          }
          const reshapedNormalizedRewards = normalizedRewards.map(rs => rs.reshape(rs.shape.concat(expandedDims)));
          for (let g = 0; g < varGradients.length; ++g) {
            varGradients[g] = varGradients[g].mul(reshapedNormalizedRewards[g]);
          }
          return tf.mean(tf.concat(varGradients, 0), 0);
        });
      }
      return gradients;
    });
  }
  return { CartPole, PolicyNetwork, discountAndNormalizeRewards };
}

afterEach(() => { vi.restoreAllMocks(); });

/**
 * Each library draws its actions from its own stream; for comparable runs both get one multinomial that draws
 * from a shared seeded stream (rows of probabilities, normalized as the example asks).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withSharedMultinomial(lib: any): any {
  const random = seededRandom(99);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const multinomial = (probs: any, numSamples: number, _seed: unknown, normalized: boolean) => {
    expect(normalized).toBe(true);
    const p = probs.arraySync() as number[][];
    return lib.tensor2d(p.map((row) => Array.from({ length: numSamples }, () => {
      let u = random(), c = 0;
      while (c < row.length - 1 && u >= row[c]) { u -= row[c]; c++; }
      return c;
    })), [p.length, numSamples], 'int32');
  };
  return { ...lib, multinomial };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function play(tf: any, rounds: number, from?: number[][], optimizerName = 'adam') {
  const { CartPole, PolicyNetwork } = port(tf);
  const policyNet = new PolicyNetwork([8, 4]);
  const optimizer = optimizerName === 'adam' ? tf.train.adam(0.05) : tf.train.sgd(0.05);
  if (from) setWeightValues(policyNet.policyNet, from);
  const initial = weightValues(policyNet.policyNet);
  // The games' Math.random starts, made repeatable (after tfjs's initializers drew their seeds from it).
  vi.spyOn(Math, 'random').mockImplementation(seededRandom(4));
  const cartPoleSystem = new CartPole();
  const steps: number[][] = [];
  for (let r = 0; r < rounds; r++) steps.push(await policyNet.train(cartPoleSystem, optimizer, 0.95, 3, 40));
  vi.mocked(Math.random).mockRestore();
  return { initial, steps, final: weightValues(policyNet.policyNet), names: policyNet.policyNet.weights.map((w: { name: string }) => w.name) };
}

describe('tfjs-examples cart-pole on rnnlab', () => {
  it('from tfjs\'s initial weights and the same action draws: same games and same weights after REINFORCE updates', async () => {
    // SGD: rl.train.adam's documented epsilon placement (Keras's) moves near-zero gradients' steps apart.
    const theirs = await play(withSharedMultinomial(tfjs), 3, undefined, 'sgd');
    const ours = await play(withSharedMultinomial(rl), 3, theirs.initial, 'sgd');
    expect(ours.steps).toEqual(theirs.steps);
    ours.final.forEach((w, i) => expectAllClose(w, theirs.final[i], 1e-5, `weight ${i}`));
    // The update moved the weights (the gradients reached the variables through model.predict).
    expect(ours.final.some((w, i) => w.some((v, j) => Math.abs(v - ours.initial[i][j]) > 1e-3))).toBe(true);
  });

  // model.predict inside tf.variableGrads records on the tape, and optimizer.applyGradients takes tfjs's
  // {name: gradient} map: the example runs verbatim.
  it('runs unchanged on rnnlab with its own multinomial', async () => {
    const ours = await play(rl, 2);
    for (const game of ours.steps.flat()) expect(game).toBeGreaterThan(0);
    expect(ours.final.some((w, i) => w.some((v, j) => Math.abs(v - ours.initial[i][j]) > 1e-3))).toBe(true);
  });
});
