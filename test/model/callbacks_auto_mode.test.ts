/**
 * mode 'auto' in earlyStopping, modelCheckpoint and reduceLROnPlateau as Keras 3 resolves it
 * (MonitorCallback._set_monitor_op): losses ('<output>_loss' too) are minimised, built-in metrics go their way,
 * and a name it cannot classify is an error asking for mode.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 0], [0, 1], [1, 1], [0, 0]];
const Y = [[1], [0], [1], [0]];

/** Two outputs, the first named 'accel': its log keys are 'accel_loss', 'val_accel_loss'. */
function twoOutputs(): rl.Functional {
  rl.setSeed(3);
  const a = rl.input({ shape: [2], name: 'a' });
  const o1 = rl.layers.dense({ units: 1, name: 'accel' }).apply(a) as rl.SymbolicTensor;
  const o2 = rl.layers.dense({ units: 1, name: 'other' }).apply(a) as rl.SymbolicTensor;
  const m = rl.model({ inputs: a, outputs: [o1, o2] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
  return m;
}

const BUILDERS = {
  earlyStopping: (monitor: string) => rl.callbacks.earlyStopping({ monitor }),
  modelCheckpoint: (monitor: string) => rl.callbacks.modelCheckpoint({ path: 'unused', monitor, saveBestOnly: true }),
  ReduceLROnPlateau: (monitor: string) => rl.callbacks.reduceLROnPlateau({ monitor }),
};

describe("mode 'auto' (Keras 3's rule)", () => {
  it("an output's loss whose name holds 'acc' is minimised, in all three callbacks", () => {
    for (const monitor of ['val_accel_loss', 'accel_loss', 'val_acc_loss', 'val_accuracy_head_loss', 'val_lstm_loss_1']) {
      for (const [owner, make] of Object.entries(BUILDERS)) expect(make(monitor).direction, `${owner} ${monitor}`).toBe('min');
    }
  });

  it('a built-in metric after an output name goes that metric\'s way; a numbered repeat too', () => {
    const cases: [string, 'min' | 'max'][] = [
      ['val_acceleration_mae', 'min'], ['accel_meanSquaredError', 'min'], ['val_out_1_auc', 'max'], ['val_auc_1', 'max'],
      ['val_precision_1', 'max'], ['val_ce', 'min'], ['val_out_acc', 'max'], ['val_sparse_categorical_accuracy', 'max'],
    ];
    for (const [monitor, want] of cases) for (const make of Object.values(BUILDERS)) expect(make(monitor).direction, monitor).toBe(want);
  });

  it('a name it cannot classify (a typo, a user metric) is an error asking for mode, in all three callbacks', () => {
    for (const monitor of ['val_los', 'val_myScore', 'accumulatedError', 'learning_rate']) {
      for (const [owner, make] of Object.entries(BUILDERS)) {
        expect(() => make(monitor), `${owner} ${monitor}`).toThrow(new RegExp(`^${owner}: mode 'auto' cannot tell whether monitor '${monitor}' should be maximised or minimised.*pass mode: 'max'.*mode: 'min'`));
      }
    }
    // An explicit mode is taken as given.
    expect(rl.callbacks.earlyStopping({ monitor: 'val_myScore', mode: 'max' }).direction).toBe('max');
    expect(rl.callbacks.reduceLROnPlateau({ monitor: 'val_los', mode: 'min' }).direction).toBe('min');
  });

  it("earlyStopping on a falling 'val_accel_loss' of a real two-output model does not stop training", async () => {
    const m = twoOutputs();
    const es = rl.callbacks.earlyStopping({ monitor: 'val_accel_loss', patience: 1 });
    const h = await m.fit(X, [Y, Y], { epochs: 4, verbose: 0, validationData: [X, [Y, Y]], callbacks: [es] });
    const v = h.history.val_accel_loss;
    // The loss falls every epoch, so all four epochs run.
    expect(v.every((x, i) => i === 0 || x < v[i - 1])).toBe(true);
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(es.stoppedEpoch).toBe(0);
  });
});
