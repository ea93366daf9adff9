// MultiHeadAttention's refusal of an attentionAxes it cannot attend over shows the value given, a list as the list.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('MultiHeadAttention attentionAxes refusal', () => {
  const mk = (attentionAxes: unknown) => () => rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes } as never);

  it.each([
    [[2], 'attentionAxes = [2] is not supported'],
    [[1, 2], 'attentionAxes = [1,2] is not supported'],
    [[], 'attentionAxes = [] is not supported'],
    [2, 'attentionAxes = number 2 is not supported'],
  ])('refuses %j, showing it', (value, message) => {
    expect(mk(value)).toThrow(message);
  });

  it('still takes the steps axis, as 1, [1] or [-2]', () => {
    for (const v of [1, [1], [-2], null]) expect(mk(v)).not.toThrow();
  });
});
