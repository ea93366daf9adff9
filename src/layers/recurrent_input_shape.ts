/** tfjs's inputDim/inputLength on recurrent layers (LSTM, GRU, SimpleRNN and the generic RNN): one rule, one set of checks. */
import { checkPositiveInt } from './layer.js';

export interface RecurrentShapeArgs {
  inputShape?: unknown;
  batchInputShape?: unknown;
  inputDim?: number | null;
  inputLength?: number | null;
}

/**
 * tfjs's inputDim on a recurrent layer is the feature size: the input shape is [inputLength (default any), inputDim].
 * Undefined when inputDim is not given or a shape already is; read before the layer exists, so it checks nothing.
 */
export function dimInputShape(args: RecurrentShapeArgs): (number | null)[] | undefined {
  if (given(args.inputShape) || given(args.batchInputShape) || !given(args.inputDim)) return undefined;
  return [args.inputLength ?? null, args.inputDim as number];
}

/**
 * inputLength must be a positive integer and comes with inputDim only: with a shape given it would be dropped.
 * inputDim is checked here too, as Dense checks its own: dimInputShape turned it into an input shape unchecked.
 */
export function checkInputLength(where: string, args: RecurrentShapeArgs): void {
  if (given(args.inputDim)) checkPositiveInt(where, 'inputDim', args.inputDim);
  if (!given(args.inputLength)) return;
  checkPositiveInt(where, 'inputLength', args.inputLength);
  const shape = given(args.inputShape) ? 'inputShape' : given(args.batchInputShape) ? 'batchInputShape' : null;
  if (shape) throw new Error(`${where}: inputLength needs inputDim, not ${shape} (which already gives the steps); drop one of them`);
  if (!given(args.inputDim)) throw new Error(`${where}: inputLength needs inputDim (the input shape is [inputLength, inputDim])`);
}

/** A sequence of no steps has no last output to return: refused naming the layer, before a kernel refuses its T. */
export function checkHasSteps(where: string, shape: readonly number[]): void {
  if (shape.length === 3 && shape[1] === 0) throw new Error(`${where}: the input has 0 steps ([${shape.join(', ')}]); a recurrent layer needs at least one`);
}

/** null reads as absent, as Layer reads its shape options. */
const given = (v: unknown): boolean => v !== undefined && v !== null;
