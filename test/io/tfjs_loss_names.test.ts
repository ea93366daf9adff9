// The loss a model.json's trainingConfig stores must be one tfjs 4.22 loads: tfjs camel-cases it and looks it up in its
// lossesMap, which knows 'logcosh', 'kullback_leibler_divergence' and 'cosine_proximity' but not Keras 3's 'log_cosh',
// 'kl_divergence' and 'cosine_similarity'. rnnlab still reads those Keras 3 names.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

type Artifacts = tf.io.ModelArtifacts;

async function rlArtifacts(m: rl.Sequential): Promise<Artifacts> {
  let got: Artifacts | undefined;
  await m.save(rl.io.withSaveHandler((a) => { got = a as unknown as Artifacts; return {}; }));
  return got!;
}

/** tfjs writes a trainingConfig only with includeOptimizer. */
async function tfArtifacts(m: tf.LayersModel): Promise<Artifacts> {
  let got: Artifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => { got = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
  return got!;
}

const ourModel = (loss: string) => {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
  m.compile({ optimizer: 'sgd', loss });
  return m;
};

// Every loss of tfjs 4.22's lossesMap, by the names rnnlab's compile takes (huber is rnnlab/Keras only).
const TFJS_LOSSES = ['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError', 'squaredHinge',
  'hinge', 'categoricalHinge', 'logcosh', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy',
  'kullbackLeiblerDivergence', 'poisson', 'cosineProximity'];

describe('saved loss names tfjs 4.22 loads', () => {
  it('each loss rnnlab saves loads in tfjs as the same loss', async () => {
    const aliases: [string, string][] = [['logCosh', 'logcosh'], ['log_cosh', 'logcosh'], ['LogCosh', 'logcosh'], ['kld', 'kullbackLeiblerDivergence'],
      ['kl_divergence', 'kullbackLeiblerDivergence'], ['KLDivergence', 'kullbackLeiblerDivergence'], ['cosine', 'cosineProximity'],
      ['cosine_similarity', 'cosineProximity'], ['CosineSimilarity', 'cosineProximity']];
    for (const [loss, tfjsLoss] of [...TFJS_LOSSES.map((n) => [n, n]), ...aliases]) {
      const a = await rlArtifacts(ourModel(loss));
      // tfjs's compile keeps the name it was given: the camel-cased stored name, which its lossesMap resolved.
      const back = await tf.loadLayersModel(tf.io.fromMemory(a));
      expect(back.loss, `${loss} saved as ${JSON.stringify(a.trainingConfig!.loss)}`).toBe(tfjsLoss);
    }
  });

  it('a tfjs file passed through rnnlab still loads in tfjs', async () => {
    for (const loss of ['logcosh', 'kullbackLeiblerDivergence', 'cosineProximity']) {
      const t = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
      t.compile({ optimizer: 'sgd', loss });
      const theirs = await tfArtifacts(t);
      const ours = await rl.loadLayersModel(rl.io.fromMemory(theirs as never)) as rl.Sequential;
      const again = await rlArtifacts(ours);
      expect(again.trainingConfig!.loss).toBe(theirs.trainingConfig!.loss);
      expect((await tf.loadLayersModel(tf.io.fromMemory(again))).loss).toBe(loss);
    }
  });

  it('rnnlab still reads the Keras 3 names as the same losses', async () => {
    for (const [keras3, tfjs] of [['log_cosh', 'logcosh'], ['kl_divergence', 'kullback_leibler_divergence'], ['cosine_similarity', 'cosine_proximity']]) {
      const a = await rlArtifacts(ourModel('meanSquaredError'));
      const m = await rl.loadLayersModel(rl.io.fromMemory({ ...a, trainingConfig: { ...a.trainingConfig!, loss: keras3 } } as never)) as rl.Sequential;
      expect((await rlArtifacts(m)).trainingConfig!.loss).toBe(tfjs);
    }
  });
});
