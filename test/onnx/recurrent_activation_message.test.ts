// A recurrent layer whose activation ONNX cannot express is refused naming the option that holds it: LSTM and GRU
// have two (activation, recurrentActivation), and telling the user to change the one already supported misleads.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { Layer } from '../../src/layers/layer.js';

const L = rl.layers;

function exportOf(layer: Layer): () => unknown {
  const m = rl.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 3 }), layer] });
  m.build([null, null]);
  return () => toOnnx(m);
}

const ADVICE = "has no ONNX recurrent equivalent \\(use tanh, sigmoid, relu, hard_sigmoid or linear\\)$";

describe('ONNX export names the recurrent activation option it refuses', () => {
  for (const [cls, make] of [['LSTM', L.lstm], ['GRU', L.gru]] as const) {
    it(`${cls}: recurrentActivation and activation are told apart`, () => {
      const name = cls.toLowerCase();
      expect(exportOf(make({ units: 2, recurrentActivation: 'softmax', name }))).toThrow(new RegExp(`layer '${name}' \\(${cls}\\) recurrentActivation 'softmax' ${ADVICE}`));
      expect(exportOf(make({ units: 2, activation: 'softmax', name }))).toThrow(new RegExp(`layer '${name}' \\(${cls}\\) activation 'softmax' ${ADVICE}`));
      // Both supported: exported, whatever the pair.
      expect(exportOf(make({ units: 2, activation: 'relu', recurrentActivation: 'hardSigmoid', name }))()).toBeInstanceOf(Uint8Array);
    });
  }

  it('a Bidirectional GRU names its inner layer and recurrentActivation', () => {
    const bi = L.bidirectional({ layer: L.gru({ units: 2, recurrentActivation: 'softmax', name: 'g' }) });
    expect(exportOf(bi)).toThrow(/recurrentActivation 'softmax' has no ONNX recurrent equivalent/);
  });

  it('SimpleRNN has activation only, and names it', () => {
    expect(exportOf(L.simpleRNN({ units: 2, activation: 'softmax', name: 's' }))).toThrow(new RegExp(`layer 's' \\(SimpleRNN\\) activation 'softmax' ${ADVICE}`));
  });
});
