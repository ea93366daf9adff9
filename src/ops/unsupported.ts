/**
 * tfjs ops rnnlab does not implement. Each name exists so that a tfjs program fails at the call with an error
 * saying why, instead of `rl.fft is not a function` or, worse, a stand-in that half works.
 */
const WHY = {
  complex: 'its inputs or result are complex64 tensors and rnnlab has only float32, int32 and bool',
  image: 'rnnlab has no image ops',
  strings: 'rnnlab has no string dtype',
  ragged: 'rnnlab has no ragged tensors (rl.raggedRange is supported)',
  gpu: 'rnnlab runs on the CPU; read the values with dataSync()',
  browser: 'rnnlab runs in Node and has no video or media elements',
} as const;
export type UnsupportedFamily = keyof typeof WHY;

/** A function that throws `<name>: not supported by rnnlab: <why>` whatever it is given. */
export function unsupported(name: string, family: UnsupportedFamily): (...args: unknown[]) => never {
  const fn = (): never => { throw new Error(`${name}: not supported by rnnlab: ${WHY[family]}`); };
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

export const complex = unsupported('complex', 'complex'), real = unsupported('real', 'complex'), imag = unsupported('imag', 'complex'),
  fft = unsupported('fft', 'complex'), ifft = unsupported('ifft', 'complex'), rfft = unsupported('rfft', 'complex'), irfft = unsupported('irfft', 'complex');
export const raggedGather = unsupported('raggedGather', 'ragged'), raggedTensorToTensor = unsupported('raggedTensorToTensor', 'ragged');

/** tf.spectral, tf.image and tf.string, every member refused. */
export const spectral = { fft: unsupported('spectral.fft', 'complex'), ifft: unsupported('spectral.ifft', 'complex'),
  rfft: unsupported('spectral.rfft', 'complex'), irfft: unsupported('spectral.irfft', 'complex') };
export const image = Object.fromEntries(['flipLeftRight', 'grayscaleToRGB', 'resizeNearestNeighbor', 'resizeBilinear', 'rgbToGrayscale',
  'rotateWithOffset', 'cropAndResize', 'nonMaxSuppression', 'nonMaxSuppressionAsync', 'nonMaxSuppressionWithScore',
  'nonMaxSuppressionWithScoreAsync', 'nonMaxSuppressionPadded', 'nonMaxSuppressionPaddedAsync', 'threshold', 'transform']
  .map((n) => [n, unsupported(`image.${n}`, 'image')])) as Record<string, (...args: unknown[]) => never>;
export const string = Object.fromEntries(['stringNGrams', 'stringSplit', 'stringToHashBucketFast', 'staticRegexReplace']
  .map((n) => [n, unsupported(`string.${n}`, 'strings')])) as Record<string, (...args: unknown[]) => never>;

/** Tensor methods tfjs has for the ops above: x.fft() throws as rl.fft does. */
export const unsupportedMethods: Record<string, (...args: unknown[]) => never> = {
  fft, ifft, rfft, irfft,
  resizeBilinear: unsupported('resizeBilinear', 'image'), resizeNearestNeighbor: unsupported('resizeNearestNeighbor', 'image'),
  dataToGPU: unsupported('dataToGPU', 'gpu'),
};
