// An unknown {className, config} initializer, regularizer or constraint: the error names the class given and lists
// the fixed catalogue of classes, the same whatever initializers the process registered before.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const INITIALIZER_CLASSES = ['Zeros', 'Ones', 'Constant', 'RandomNormal', 'TruncatedNormal', 'RandomUniform', 'VarianceScaling',
  'GlorotNormal', 'GlorotUniform', 'HeNormal', 'HeUniform', 'LecunNormal', 'LecunUniform', 'Orthogonal', 'Identity'];

function errorOf(f: () => unknown): string {
  try { f(); } catch (e) { return (e as Error).message; }
  throw new Error('expected an error');
}

const badInit = () => errorOf(() => rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: { className: 'HeNormals', config: {} } as never }));

describe('unknown class names', () => {
  it('an initializer class: named, with every catalogue class and no registration keys', () => {
    const msg = badInit();
    expect(msg).toMatch(/kernelInitializer: initializer class "HeNormals" is not supported; rnnlab's initializer classes are /);
    const listed = msg.split("initializer classes are ")[1].split(', ');
    expect(listed).toEqual(INITIALIZER_CLASSES);
    // Every class listed is one a {className, config} builds.
    for (const className of listed) {
      expect(() => rl.layers.dense({ units: 2, kernelInitializer: { className, config: {} } as never })).not.toThrow();
    }
  });

  it('the message is the same before and after seeded and configured initializers are registered', () => {
    const before = badInit();
    rl.layers.dense({ units: 2, kernelInitializer: rl.initializers.heNormal({ seed: 3 }) });
    rl.layers.dense({ units: 2, kernelInitializer: 'varianceScaling' });
    rl.layers.dense({ units: 2, kernelInitializer: { className: 'RandomNormal', config: { stddev: 0.3, seed: 7 } } as never });
    const after = badInit();
    expect(after).toBe(before);
    expect(after).not.toMatch(/seed|\{/);
  });

  it('a className that is not a string is shown as given', () => {
    expect(errorOf(() => rl.layers.dense({ units: 2, kernelInitializer: { className: 5 } as never })))
      .toMatch(/initializer \{"className":5\} is not supported; rnnlab's initializer classes are Zeros, /);
  });

  it('a regularizer class: named, with L1, L2 and L1L2', () => {
    expect(errorOf(() => rl.layers.dense({ units: 2, kernelRegularizer: { className: 'L3', config: {} } as never })))
      .toMatch(/kernelRegularizer class "L3" is not a regularizer; use 'l1', 'l2', 'l1l2', rl\.regularizers\.\* or \{className: 'L1' \| 'L2' \| 'L1L2', config\}$/);
    // An object without a className is still described as one.
    expect(errorOf(() => rl.layers.dense({ units: 2, kernelRegularizer: { l2: 0.1 } as never }))).toMatch(/kernelRegularizer an object is not a regularizer/);
  });

  it('a constraint class: named, with the four constraint classes', () => {
    expect(errorOf(() => rl.layers.dense({ units: 2, kernelConstraint: { className: 'MaxNorms', config: {} } as never })))
      .toMatch(/kernelConstraint class "MaxNorms" is not a constraint; use 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl\.constraints\.\* or \{className: 'MaxNorm' \| 'UnitNorm' \| 'MinMaxNorm' \| 'NonNeg', config\}$/);
    for (const className of ['MaxNorm', 'UnitNorm', 'MinMaxNorm', 'NonNeg']) {
      expect(() => rl.layers.dense({ units: 2, kernelConstraint: { className, config: {} } as never })).not.toThrow();
    }
  });
});
