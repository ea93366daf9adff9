/**
 * Keras's mixed precision policies (`tf.keras.mixed_precision.set_global_policy`): 'float32', the default, and
 * 'mixed_bfloat16', under which the products of Dense, Conv1D, the recurrent layers' input projections and the LSTM's
 * recurrent products (training kernels; predict's stay fp32) run with bf16 operands (rounded to nearest even from
 * the fp32 values) and fp32 sums, while the variables (the master weights), the optimizer, the losses and every other
 * op stay float32 — Keras's split of compute and variable dtypes. tfjs has no equivalent.
 *
 * The native bf16 kernels need AVX512-BF16 and the avx512 kernels in force. Where they are missing (an older CPU,
 * RNNLAB_ISA=avx2 or portable), setGlobalPolicy('mixed_bfloat16') falls back to float32 and says so once on
 * stderr: emulating bf16 in software would be slower than the fp32 it replaces, so it would only cost time. The
 * reference backend (RNNLAB_BACKEND=reference) does emulate it on any CPU — it is the oracle the tests compare with.
 */
import { bf16Support, setBf16Products } from './backend/index.js';

export const POLICY_NAMES = ['float32', 'mixed_bfloat16'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** A dtype policy, as Keras's `Policy`: the dtype computations run in and the dtype variables are kept in. */
export interface Policy {
  readonly name: PolicyName;
  readonly computeDtype: 'float32' | 'bfloat16';
  readonly variableDtype: 'float32';
}

function policy(name: PolicyName): Policy {
  return Object.freeze({ name, computeDtype: name === 'mixed_bfloat16' ? 'bfloat16' : 'float32', variableDtype: 'float32' } as const);
}

let current = policy('float32');
let warned = false;

/** Checks a policy name, throwing an error that names the value and the accepted ones. */
export function checkPolicyName(name: unknown, what = 'mixed precision policy'): PolicyName {
  if (typeof name === 'string' && (POLICY_NAMES as readonly string[]).includes(name)) return name as PolicyName;
  throw new Error(`unknown ${what} '${String(name)}': use ${POLICY_NAMES.join(' or ')}`);
}

/**
 * Sets the policy every later training step and prediction uses; returns the policy in force, which is 'float32'
 * when 'mixed_bfloat16' cannot run here (see the module comment). The fallback's message goes to `warn` when given
 * (each time), else once per process to stderr.
 */
export function setGlobalPolicy(p: PolicyName | Policy, options: { warn?: (message: string) => void } = {}): Policy {
  let name = checkPolicyName(typeof p === 'object' && p !== null ? p.name : p);
  if (name === 'mixed_bfloat16') {
    const support = bf16Support();
    if (!support.ok) {
      const message = `rnnlab: mixed_bfloat16 needs ${support.reason}; running in float32 instead.`;
      if (options.warn) options.warn(message);
      else if (!warned) console.warn(message);
      warned = true;
      name = 'float32';
    }
  }
  setBf16Products(name === 'mixed_bfloat16');
  current = policy(name);
  return current;
}

/** The policy in force. */
export function getGlobalPolicy(): Policy {
  return current;
}
