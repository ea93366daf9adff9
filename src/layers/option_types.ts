/**
 * The option types the built-in layers share, as wide as tfjs-layers' typing where rnnlab's run time accepts the
 * same values, so tfjs code written in TypeScript compiles unchanged (e.g. kernelInitializer: tf.initializers.constant).
 */
import type { Activation } from '../autograd/ops.js';
import type { Initializer } from './initializer_catalogue.js';
import type { InitializerName } from './initializers.js';
import type { RegularizerIdentifier } from './regularizers.js';
import type { ConstraintIdentifier } from './constraints.js';

/** An initializer's name ('glorotUniform', 'heNormal', ...) or an rl.initializers object (tfjs: InitializerIdentifier | Initializer). */
export type InitializerArg = InitializerName | Initializer;

/**
 * 'l1', 'l2', 'l1l2', an rl.regularizers object or Keras's {className, config}; null for none. tfjs types the name as
 * any string; checkRegularizer also takes the class names tfjs resolves ('L1L2'), so those type-check.
 */
export type RegularizerArg = RegularizerIdentifier | 'L1' | 'L2' | 'L1L2';

/**
 * 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', an rl.constraints object or Keras's {className, config}; null for
 * none. As for RegularizerArg, the class names ('MaxNorm') and Keras's names ('max_norm') that checkConstraint takes.
 */
export type ConstraintArg = ConstraintIdentifier | 'MaxNorm' | 'UnitNorm' | 'MinMaxNorm' | 'NonNeg' | 'max_norm' | 'unit_norm' | 'min_max_norm' | 'non_neg';

/**
 * A recurrent cell's activation: only those with native step kernels (checkKernelActivation refuses the rest), in
 * Keras's or tfjs's spelling ('hardSigmoid', tfjs's default recurrentActivation in its docs and examples).
 */
export type RecurrentActivationArg = Extract<Activation, 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'hard_sigmoid'> | 'hardSigmoid';
