/**
 * model.summary() rows as Keras's and tfjs's print_row writes them: a field longer than its column is cut, and the
 * column's last character becomes a space, so the next field never runs into it (keras.io lstm_seq2seq's encoder
 * LSTM, whose three outputs overflow the Output Shape column).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function lines(model: rl.Sequential | rl.Functional, lineLength?: number, positions?: number[]): string[] {
  const out: string[] = [];
  model.summary(lineLength, positions, (s: string) => { out.push(s); });
  return out;
}

describe('summary column cut', () => {
  it("keeps a space between an overflowing Output Shape and Param # (Keras's print_row)", () => {
    const encoderInputs = rl.input({ shape: [null, 5], name: 'enc' });
    const encoder = rl.layers.lstm({ units: 8, returnState: true, name: 'lstm' });
    const [, h, c] = encoder.apply(encoderInputs) as rl.SymbolicTensor[];
    const model = rl.model({ inputs: encoderInputs, outputs: [h, c] });
    // Graph columns end at 32, 53, 65 and 98: the shape text '[(None, 8), (None, 8), (None, 8)]' is cut to 20
    // characters and a space, then 448 (4 * 8 * (5 + 8 + 1)).
    const row = lines(model).find((l) => l.startsWith('lstm (LSTM)'))!;
    expect(row).toBe(`${'lstm (LSTM)'.padEnd(32)}[(None, 8), (None, 8 ${'448'.padEnd(12)}enc[0][0]`.padEnd(98));
  });

  it('leaves rows whose fields fit unchanged', () => {
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    expect(lines(model)[4]).toBe(`${'d (Dense)'.padEnd(29)}${'(None, 2)'.padEnd(26)}8`.padEnd(65));
    // A name longer than its column (positions given as characters, as tfjs takes them) is cut the same way.
    const row = lines(model, 40, [5, 20, 40]).find((l) => l.startsWith('d (D'))!;
    expect(row).toBe(`d (D ${'(None, 2)'.padEnd(15)}8`.padEnd(40));
  });
});
