/**
 * Installs the recording ops into tfjs-core's tf.losses (src/ops/losses.ts), so custom training loops
 * (tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(labels, logits))) get gradients through them, as in tfjs.
 * Imported for its effect by tensor_api.ts.
 */
import { installLossOps } from '../ops/losses.js';
import { add, sub, mul, div, neg, relu, exp, log, sum, mean } from './public_ops.js';
import { abs, maximum, minimum, cast, broadcastTo, logSoftmax } from './differentiable_ops.js';

installLossOps({ abs, add, sub, mul, div, maximum, minimum, neg, relu, exp, log, cast, broadcastTo, logSoftmax, mean, sum });
