// ReduceLROnPlateau's verbose message: Keras 3.15 multiplies the float32 rate its variable holds (read as a Python
// float) by factor and prints that product with Python's str(). Expected strings are Python's:
// float(np.float32(0.1)) * 0.1 -> 0.010000000149011612, then float(np.float32(0.1 * 0.1)) * 0.1 -> 0.0009999999776482583.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const stamp = (seq: number[]): rl.Callback => ({ onEpochEnd: (e, logs) => { logs!.m = seq[e]!; } });
const writer = () => ({ text: '', write(s: string) { this.text += s; } });

describe('reduceLROnPlateau verbose message', () => {
  it('prints the rate Keras computes from the float32 rate held, in Python float format', async () => {
    const out = writer();
    const h = await model(0.1).fit(X, Y, { epochs: 3, verbose: 0, callbacks: [stamp([1, 1, 1]), rl.callbacks.reduceLROnPlateau({ monitor: 'm', mode: 'min', patience: 0, verbose: 1, out })] });
    expect(out.text.match(/reducing learning rate to [^ ]+\.\n/g)).toEqual([
      'reducing learning rate to 0.010000000149011612.\n',
      'reducing learning rate to 0.0009999999776482583.\n',
    ]);
    // The rate set is JavaScript's product (rnnlab's History keeps 0.1 * 0.1 = 0.010000000000000002); only the message is Keras's.
    expect(h.history.learning_rate[2]).toBe(0.1 * 0.1);
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
