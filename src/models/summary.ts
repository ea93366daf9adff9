/** Keras's model.summary() table for a sequential model (line length 65, columns at 45% and 85%). */
import { kerasShape, type Layer } from '../layers/layer.js';

export function summaryLines(modelName: string, layers: Layer[], lineLength = 65): string[] {
  const cols = [Math.floor(lineLength * 0.45), Math.floor(lineLength * 0.85), lineLength];
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
