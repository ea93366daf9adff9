/**
 * Initializer names as strings: exactly tfjs 4.22's class names and camelCase identifiers and Keras 3's class,
 * snake_case and alias names; other spellings ('HE_NORMAL') are errors naming them;
 * a bare 'Constant' is Keras's Constant(), value 0.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function kernelInit(name: string): { className: string; config: Record<string, unknown> } {
  const d = rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: name as never });
  return d.getConfig().kernelInitializer as { className: string; config: Record<string, unknown> };
}

describe('initializer names', () => {
  it.each([
    ['HeNormal', 'HeNormal'], ['heNormal', 'HeNormal'], ['he_normal', 'HeNormal'],
    // Saved as the VarianceScaling they are, as tfjs writes its own (tfjs 4.22 cannot read Keras's LecunNormal).
    ['LeCunNormal', 'VarianceScaling'], ['LecunNormal', 'VarianceScaling'], ['leCunUniform', 'VarianceScaling'], ['lecun_uniform', 'VarianceScaling'],
    ['GlorotUniform', 'GlorotUniform'], ['glorot_uniform', 'GlorotUniform'], ['truncated_normal', 'TruncatedNormal'],
    ['normal', 'RandomNormal'], ['RandomUniform', 'RandomUniform'], ['zero', 'Zeros'], ['one', 'Ones'],
    ['VarianceScaling', 'VarianceScaling'], ['OrthogonalInitializer', 'Orthogonal'], ['IdentityInitializer', 'Identity'],
  ])('%s is the %s class', (name, cls) => {
    expect(kernelInit(name).className).toBe(cls);
  });

  // tfjs 4.22's INITIALIZER_IDENTIFIER_REGISTRY_SYMBOL_MAP (less 'constant', tested below).
  const TFJS_IDS: Record<string, string> = {
    glorotNormal: 'GlorotNormal', glorotUniform: 'GlorotUniform', heNormal: 'HeNormal', heUniform: 'HeUniform',
    identity: 'Identity', leCunNormal: 'LeCunNormal', leCunUniform: 'LeCunUniform', ones: 'Ones', orthogonal: 'Orthogonal',
    randomNormal: 'RandomNormal', randomUniform: 'RandomUniform', truncatedNormal: 'TruncatedNormal',
    varianceScaling: 'VarianceScaling', zeros: 'Zeros',
  };
  it.each(Object.entries(TFJS_IDS))('tfjs\'s identifier %s and class name %s are the same initializer', (id, cls) => {
    expect(kernelInit(id)).toEqual(kernelInit(cls));
    // The LeCun ones are written as VarianceScaling (as tfjs writes them); the others under their own class name.
    expect(kernelInit(id).className.toLowerCase()).toBe(id.startsWith('leCun') ? 'variancescaling' : cls.toLowerCase());
    expect(Object.keys(tf.initializers)).toContain(id);
  });

  it.each(['HE_NORMAL', 'h_e_normal', 'Glorot_Uniform', 'henormal', 'GLOROTUNIFORM', 'Lecun_Normal'])('%s is refused, naming it', (name) => {
    expect(() => kernelInit(name)).toThrow(new RegExp(`unknown kernelInitializer "${name}"`));
  });

  // Deliberate (docs/API.md): Keras 3's Constant() has value 0; tfjs 4.22 refuses a bare name ("config must have value set").
  it.each(['Constant', 'constant'])('a bare %s is Keras\'s Constant(), value 0', (name) => {
    expect(kernelInit(name)).toEqual({ className: 'Constant', config: { value: 0 } });
    expect(kernelInit({ className: 'Constant', config: { value: 0.5 } } as never).config).toEqual({ value: 0.5 });
  });
});
