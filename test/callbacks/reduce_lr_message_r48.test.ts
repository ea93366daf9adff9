// ReduceLROnPlateau against Keras 3.15: its rate is a float32 variable; a cut reads it as a Python float,
// multiplies by factor, takes max(that, min_lr), prints that with Python's str() and assigns it (stored as float32);
// learning_rate in the logs is the variable read as a Python float. Expected values are Python's, with f = np.float32:
// float(f(0.1)) * 0.1 -> 0.010000000149011612, then float(f(0.010000000149011612)) * 0.1 -> 0.0009999999776482583, ...
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const stamp = (seq: number[]): rl.Callback => ({ onEpochEnd: (e, logs) => { logs!.m = seq[e]!; } });
const writer = () => ({ text: '', write(s: string) { this.text += s; } });

describe('reduceLROnPlateau verbose message', () => {
  it('prints, sets and logs the rates Keras does, cut after cut', async () => {
    const out = writer();
    const m = model(0.1);
    const h = await m.fit(X, Y, { epochs: 6, verbose: 0, callbacks: [stamp([1, 1, 1, 1, 1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, verbose: 1, out })] });
    expect(out.text.match(/reducing learning rate to [^ ]+\.\n/g)).toEqual([
      'reducing learning rate to 0.010000000149011612.\n',
      'reducing learning rate to 0.0009999999776482583.\n',
      'reducing learning rate to 9.999999310821295e-05.\n',
      'reducing learning rate to 9.999999019782991e-06.\n',
      'reducing learning rate to 9.99999883788405e-07.\n',
    ]);
    // Keras's History: each epoch's float32 rate read as a Python float (the cut at an epoch's end shows the next epoch).
    expect(h.history.learning_rate).toEqual([0.10000000149011612, 0.10000000149011612, 0.009999999776482582, 0.0009999999310821295, 9.99999901978299e-05, 9.99999883788405e-06]);
    // The optimizer trains with the rate Keras's variable holds after the last cut.
    expect(m.optimizer!.learningRate).toBe(9.99999883788405e-07);
  });

  it('the cut that would go below minLr sets minLr (as float32) and then stops cutting', async () => {
    const out = writer();
    const m = model(0.1);
    const h = await m.fit(X, Y, { epochs: 5, verbose: 0, callbacks: [stamp([1, 1, 1, 1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, factor: 0.2, minLr: 0.003, verbose: 1, out })] });
    // float(f(0.1)) * 0.2 = 0.020000000298023225; float(f(0.020000000298023225)) * 0.2 = 0.003999999910593033;
    // then float(f(0.003999999910593033)) * 0.2 = 0.0007999999448657036 < min_lr gives 0.003; f(0.003) > f(0.003) is false.
    expect(out.text.match(/reducing learning rate to [^ ]+\.\n/g)).toEqual([
      'reducing learning rate to 0.020000000298023225.\n',
      'reducing learning rate to 0.003999999910593033.\n',
      'reducing learning rate to 0.003.\n',
    ]);
    expect(h.history.learning_rate).toEqual([0.10000000149011612, 0.10000000149011612, 0.019999999552965164, 0.003999999724328518, 0.003000000026077032]);
    expect(m.optimizer!.learningRate).toBe(Math.fround(0.003));
  });

  it('a rate below 1e-4 is written as Python writes it, with an exponent', async () => {
    const out = writer();
    await model(1e-4).fit(X, Y, { epochs: 2, verbose: 0, callbacks: [stamp([1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, factor: 0.5, verbose: 1, out })] });
    // float(np.float32(1e-4)) * 0.5
    expect(out.text).toBe('\nEpoch 2: ReduceLROnPlateau reducing learning rate to 4.999999873689376e-05.\n');
  });

  it('a cut that reaches minLr prints minLr as Python writes it', async () => {
    const out = writer();
    await model(0.001).fit(X, Y, { epochs: 2, verbose: 0, callbacks: [stamp([1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, factor: 0.5, minLr: 0.0008, verbose: 1, out })] });
    expect(out.text).toBe('\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.0008.\n');
  });
});
