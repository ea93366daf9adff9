/** Keras's model.summary() table (line length 65, columns at 45% and 85%; graph models add tfjs's 'Receives inputs'). */
import { kerasShape, type Layer, type SymbolicShape } from '../layers/layer.js';
import { uniqueParamCount, unique } from './model_common.js';
import { describe, shownList } from '../describe.js';

export type PrintFn = (line: string) => void;

/** model.summary(lineLength, positions, printFn): the table, each line handed to printFn (checked before any is made). */
export function printSummary(modelName: string, layers: Layer[], lineLength: number | undefined, positions: number[] | undefined, printFn: PrintFn,
  inputsOf?: (l: Layer) => string[]): void {
  if (typeof printFn !== 'function') throw new Error(`${modelName}.summary: printFn must be a function (line) => void, got ${describe(printFn)}`);
  for (const line of summaryLines(modelName, layers, lineLength, positions, inputsOf)) printFn(line);
}

/** Where Keras's keyword arguments (print_fn=...) go in tfjs's positional summary(lineLength, positions, printFn). */
const POSITIONAL_FORMS: Readonly<Record<string, string>> = {
  print_fn: 'summary(undefined, undefined, printFn)', printFn: 'summary(undefined, undefined, printFn)',
  line_length: 'summary(lineLength)', lineLength: 'summary(lineLength)', positions: 'summary(undefined, positions)',
};

/** Keras's summary arguments after print_fn, by position; rnnlab's table has none of them. */
const KERAS_LATER_ARGS = ['expand_nested', 'show_trainable', 'layer_range'];

/**
 * summary(lineLength, positions, printFn, ...more): Keras's later positional arguments would print the table
 * unchanged without a word, so any given is refused by the Keras name at its place.
 */
export function refuseSummaryExtras(modelName: string, extra: readonly unknown[]): void {
  // undefined or null is Keras's None / not given (a wrapper forwarding ...args): only values are refused.
  const given = extra.flatMap((v, i) => (v === undefined || v === null ? [] : [KERAS_LATER_ARGS[i] ?? `argument ${i + 4}`]));
  if (given.length === 0) return;
  const named = given.join(', ');
  throw new Error(`${modelName}.summary: takes (lineLength, positions, printFn), as tfjs's; got Keras's ${named} (later `
    + 'positional arguments), which rnnlab\'s table does not implement; call summary(lineLength, positions, printFn) without them');
}

/** summary({print_fn}) (Keras's keywords as an object) was read as lineLength and refused as "an object". */
function optionsObjectError(where: string, given: object): Error {
  const keys = Object.keys(given);
  const forms = keys.filter((k) => Object.hasOwn(POSITIONAL_FORMS, k)).map((k) => `for ${k} write ${POSITIONAL_FORMS[k]}`);
  const named = keys.length > 0 ? ` (got one with ${keys.map((k) => `'${k}'`).join(', ')})` : '';
  return new Error(`${where}: takes (lineLength, positions, printFn) positionally, as tfjs's, not an options object${named}` +
    (forms.length > 0 ? `; ${forms.join('; ')}` : ''));
}

/**
 * positions: where the three columns end, as fractions of lineLength (all <= 1) or as character counts, as tfjs
 * takes them; default [0.45, 0.85, 1].
 */
export function summaryLines(modelName: string, layers: Layer[], lineLength?: number, positions?: number[], inputsOf?: (l: Layer) => string[]): string[] {
  // A graph model gets tfjs's fourth column, the layers each one receives, and tfjs's wider defaults.
  const graph = inputsOf !== undefined;
  lineLength ??= graph ? 98 : 65;
  positions ??= graph ? [0.33, 0.55, 0.67, 1] : [0.45, 0.85, 1];
  const count = graph ? 4 : 3;
  const where = `${modelName}.summary`;
  if (typeof lineLength === 'object' && lineLength !== null && !Array.isArray(lineLength)) throw optionsObjectError(where, lineLength);
  if (!Number.isInteger(lineLength) || lineLength < 10) throw new Error(`${where}: lineLength must be an integer >= 10, got ${describe(lineLength)}`);
  if (!Array.isArray(positions) || positions.length !== count || !positions.every((p, i) => typeof p === 'number' && p > 0 && (i === 0 || p > positions![i - 1]))) {
    // tfjs 4.22 adds an Input Shape column to Keras's table, so its position lists have one entry more than these.
    const columns = graph ? 'Layer (type), Output Shape, Param #, Receives inputs' : 'Layer (type), Output Shape, Param #';
    const tfjs = Array.isArray(positions) && positions.length === count + 1
      ? `; tfjs 4.22's ${count + 1} positions place its extra Input Shape column, which rnnlab's table (Keras's) does not have` : '';
    throw new Error(`${where}: positions must be ${count === 3 ? 'three' : 'four'} increasing positive numbers, the ends of the columns ${columns}, ` +
      `got ${Array.isArray(positions) ? shownList(positions) : describe(positions)}${tfjs}`);
  }
  const cols = positions.every((p) => p <= 1) ? positions.map((p) => Math.floor(lineLength * p)) : positions.map((p) => Math.floor(p));
  const row = (fields: string[]) => {
    let line = '';
    fields.forEach((f, i) => {
      // Keras's and tfjs's print_row: a field cut at its column keeps one space before the next column.
      if (i > 0) line = `${line.slice(0, -1)} `;
      line += f;
      line = line.slice(0, cols[i]).padEnd(cols[i]);
    });
    return line;
  };
  const lines = [`Model: "${modelName}"`, '_'.repeat(lineLength),
    row(['Layer (type)', 'Output Shape', 'Param #', ...(graph ? ['Receives inputs'] : [])]), '='.repeat(lineLength)];
  layers.forEach((l, i) => {
    const from = inputsOf?.(l) ?? [];
    lines.push(row([`${l.name} (${l.className})`, outputShapeText(l), String(l.countParams()), ...(graph ? [from[0] ?? ''] : [])]));
    for (const more of from.slice(1)) lines.push(row(['', '', '', more]));
    lines.push(i === layers.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  // Totals count each variable once: a layer reached twice (directly and inside a nested model) is one set of weights.
  const total = uniqueParamCount(layers);
  const trainable = unique(layers.flatMap((l) => l.trainableWeights)).reduce((a, w) => a + w.size, 0);
  lines.push(`Total params: ${total.toLocaleString('en-US')}`);
  lines.push(`Trainable params: ${trainable.toLocaleString('en-US')}`);
  lines.push(`Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
  lines.push('_'.repeat(lineLength));
  return lines;
}

/** Keras lists every output of a layer that has several (an LSTM with returnState): [(None, 2), (None, 2), (None, 2)]. */
function outputShapeText(l: Layer): string {
  const shown = (outputs: readonly { shape: SymbolicShape }[]) => (outputs.length > 1 ? `[${outputs.map((o) => kerasShape(o.shape)).join(', ')}]` : kerasShape(outputs[0].shape));
  const perNode = new Set(l.inboundNodes.filter((n) => n.outputs.length).map((n) => shown(n.outputs)));
  // A shared layer whose calls give different shapes has no one output shape: tfjs and Keras print 'multiple'.
  if (perNode.size > 1) return 'multiple';
  return perNode.size === 1 ? [...perNode][0] : kerasShape(l.outputShape);
}
