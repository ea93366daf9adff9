/** Keras's model.summary() table for a sequential model (line length 65, columns at 45% and 85%). */
import { kerasShape, type Layer } from '../layers/layer.js';

/**
 * positions: where the three columns end, as fractions of lineLength (all <= 1) or as character counts, as tfjs
 * takes them; default [0.45, 0.85, 1].
 */
export function summaryLines(modelName: string, layers: Layer[], lineLength = 65, positions: number[] = [0.45, 0.85, 1]): string[] {
  if (!Number.isInteger(lineLength) || lineLength < 10) throw new Error(`summary: lineLength must be an integer >= 10, got ${String(lineLength)}`);
  if (!Array.isArray(positions) || positions.length !== 3 || !positions.every((p, i) => typeof p === 'number' && p > 0 && (i === 0 || p > positions[i - 1]))) {
    throw new Error(`summary: positions must be three increasing positive numbers, got ${JSON.stringify(positions)}`);
  }
  const cols = positions.every((p) => p <= 1) ? positions.map((p) => Math.floor(lineLength * p)) : positions.map((p) => Math.floor(p));
  const row = (fields: string[]) => {
    let line = '';
    fields.forEach((f, i) => {
      line += f;
      line = line.slice(0, cols[i]).padEnd(cols[i]);
    });
    return line;
  };
  const lines = [`Model: "${modelName}"`, '_'.repeat(lineLength), row(['Layer (type)', 'Output Shape', 'Param #']), '='.repeat(lineLength)];
  layers.forEach((l, i) => {
    lines.push(row([`${l.name} (${l.className})`, kerasShape(l.outputShape), String(l.countParams())]));
    lines.push(i === layers.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  const total = layers.reduce((s, l) => s + l.countParams(), 0);
  const trainable = layers.reduce((s, l) => s + l.trainableWeights.reduce((a, w) => a + w.size, 0), 0);
  lines.push(`Total params: ${total.toLocaleString('en-US')}`);
  lines.push(`Trainable params: ${trainable.toLocaleString('en-US')}`);
  lines.push(`Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
  lines.push('_'.repeat(lineLength));
  return lines;
}
