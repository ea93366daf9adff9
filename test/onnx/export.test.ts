// Every lab model, a GRU of each reset kind and bidirectional models, exported to ONNX and run by ONNX Runtime:
// its outputs must equal model.predict's on the same inputs (max abs difference <= 1e-5), masked inputs included.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { CASES, trainedCase } from './cases.js';
import { maxAbsDiff, ortPredict, ortSession, tokenIds } from './helpers.js';

const TOL = 1e-5;
async function expectSameAsOrt(m: rl.Sequential, x: rl.Tensor): Promise<number> {
  const session = await ortSession(toOnnx(m));
  const ours = m.predict(x).values;
  const theirs = await ortPredict(session, x);
  const diff = maxAbsDiff(ours, theirs);
  expect(diff).toBeLessThanOrEqual(TOL);
  return diff;
}

describe('ONNX export matches rnnlab predict in ONNX Runtime', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const { model, x } = await trainedCase(c);
      await expectSameAsOrt(model, x);
    });
  }
});

it('a model without a fixed sequence length takes any length in ONNX Runtime too', async () => {
  const c = CASES.find((k) => k.title.startsWith('Embedding without inputLength'))!;
  const { model } = await trainedCase(c);
  const session = await ortSession(toOnnx(model));
  for (const steps of [5, 21]) {
    const x = tokenIds(4, steps, 25, steps, { pad: true });
    expect(maxAbsDiff(model.predict(x).values, await ortPredict(session, x))).toBeLessThanOrEqual(TOL);
  }
});

describe('ONNX export refuses what it cannot express, naming the layer and class', () => {
  // (A linear recurrent activation is exported, as Affine: test/onnx/linear_recurrent.test.ts.)
  it('a Bidirectional layer around a goBackwards layer', () => {
    const m = rl.sequential({ layers: [rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, goBackwards: true }), inputShape: [3, 2], name: 'bi_back' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'bi_back' \(Bidirectional\) a Bidirectional layer around a goBackwards layer is not exported/);
  });

  it('TimeDistributed around a layer that is not pointwise', () => {
    const m = rl.sequential({ layers: [rl.layers.timeDistributed({ layer: rl.layers.flatten(), inputShape: [3, 2, 2], name: 'td_flat' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'td_flat' \(TimeDistributed\) wraps Flatten, which is not exported inside TimeDistributed/);
  });

  it('a layer class it does not know', () => {
    class Custom extends rl.layerClasses.Dense { static override readonly className: string = 'MyCustom'; }
    const m = rl.sequential({ layers: [new Custom({ units: 2, inputDim: 3, name: 'mine' })] });
    expect(() => toOnnx(m)).toThrow(/layer 'mine' \(MyCustom\) has no ONNX export/);
  });

  it('a model that is not built', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2 })], name: 'unbuilt' });
    expect(() => toOnnx(m)).toThrow(/model 'unbuilt' is not built yet/);
  });
});
