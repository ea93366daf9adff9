/**
 * tfjs's engine, flag and registry entry points, which rnnlab has no counterpart for. tfjs programs call some of
 * them at start-up (tf.enableProdMode(), tf.env().set(...)); each throws `<name>: not supported by rnnlab: <why>`
 * with what to use instead, rather than `tf.env is not a function`.
 */
function refused(name: string, why: string): (...args: unknown[]) => never {
  const fn = (): never => { throw new Error(`${name}: not supported by rnnlab: ${why}`); };
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

const TIMING = 'rl.setProfiling(true) and rl.profileReport() time the kernels';
const REGISTRY = 'rnnlab has no kernel, op or gradient registry; write the op from rl ops (rl.customGrad gives it a custom gradient)';
const GRAPH = 'rnnlab runs Layers models only (rl.loadLayersModel); a graph model is a TensorFlow graph it cannot execute';

export const enableProdMode = refused('enableProdMode', 'rnnlab has no debug mode to leave (it never runs tfjs\'s per-op debug checks); remove the call');
export const enableDebugMode = refused('enableDebugMode', `rnnlab has no per-op debug mode; ${TIMING}`);
export const disableDeprecationWarnings = refused('disableDeprecationWarnings', 'rnnlab prints no deprecation warnings; remove the call');
export const env = refused('env', 'rnnlab has no tfjs flag registry; rl.environment lists the RNNLAB_* variables it reads');
export const engine = refused('engine', 'rnnlab has no tfjs engine object; use rl.tidy, rl.keep, rl.dispose and rl.memory');
export const backend = refused('backend', 'rnnlab has no tfjs backend object; rl.getBackend() names its kernels and rl.backendInfo() describes them');
export const time = refused('time', TIMING);
export const profile = refused('profile', TIMING);
export const loadGraphModel = refused('loadGraphModel', GRAPH), loadGraphModelSync = refused('loadGraphModelSync', GRAPH);
export const registerOp = refused('registerOp', REGISTRY), op = refused('op', REGISTRY), registerKernel = refused('registerKernel', REGISTRY),
  registerGradient = refused('registerGradient', REGISTRY), registerBackend = refused('registerBackend', REGISTRY);
