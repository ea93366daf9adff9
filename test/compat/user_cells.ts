// Users' recurrent cells as tfjs and Keras users write them (a layer with stateSize whose call([x, ...states])
// returns [output, ...newStates]), shared by the user-cell tests and registered for saving and loading.
import * as rl from '../../src/index.js';

type Shape = (number | null)[];
/** rnn builds a cell for x's step shape; apply([x, h]) standing alone gives the list of shapes. */
export const stepShape = (s: Shape | Shape[]) => (Array.isArray(s[0]) ? s[0] : s) as Shape;

/** Keras's MinimalRNNCell (the RNN layer's docs): output = x K + h R, the new state the output. */
export class LinearMinimalCell extends rl.layers.Layer {
  static className = 'LinearMinimalCell';
  units: number; stateSize: number;
  kernel!: rl.Variable; recurrentKernel!: rl.Variable;
  constructor(config: { units: number; name?: string }) {
    super({ name: config.name });
    this.units = config.units;
    this.stateSize = config.units;
  }
  build(shape: Shape | Shape[]) {
    const inputShape = stepShape(shape);
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1]!, this.units], 'float32', 'glorotUniform');
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units], 'float32', 'orthogonal');
  }
  call(inputs: rl.Tensor | rl.Tensor[]) {
    const [x, h] = inputs as rl.Tensor[];
    const out = rl.add(rl.matMul(x, this.kernel), rl.matMul(h, this.recurrentKernel));
    return [out, out];
  }
  getConfig() { return { ...super.getConfig(), units: this.units }; }
}

/** An LSTM step written with rl ops in Keras's layout (gates i, f, c, o): two states, [h, c]. */
export class OpsLSTMCell extends rl.layers.Layer {
  static className = 'OpsLSTMCell';
  units: number; stateSize: number[];
  kernel!: rl.Variable; recurrentKernel!: rl.Variable; bias!: rl.Variable;
  seenTraining: unknown[] = [];
  constructor(config: { units: number; name?: string }) {
    super({ name: config.name });
    this.units = config.units;
    this.stateSize = [config.units, config.units];
  }
  build(inputShape: Shape) {
    const u = this.units;
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1]!, 4 * u], 'float32', 'glorotUniform');
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 4 * u], 'float32', 'orthogonal');
    this.bias = this.addWeight('bias', [4 * u], 'float32', 'zeros');
  }
  call(inputs: rl.Tensor | rl.Tensor[], kwargs: { training?: boolean }) {
    this.seenTraining.push(kwargs.training);
    const [x, h, c] = inputs as rl.Tensor[];
    const z = rl.add(rl.add(rl.matMul(x, this.kernel), rl.matMul(h, this.recurrentKernel)), this.bias);
    const [i, f, g, o] = rl.split(z, 4, 1);
    const c2 = rl.add(rl.mul(rl.sigmoid(f), c), rl.mul(rl.sigmoid(i), rl.tanh(g)));
    const h2 = rl.mul(rl.sigmoid(o), rl.tanh(c2));
    return [h2, h2, c2];
  }
  getConfig() { return { ...super.getConfig(), units: this.units }; }
}
rl.serialization.registerClass(LinearMinimalCell);
rl.serialization.registerClass(OpsLSTMCell);

/** Keras's MinimalRNNCell with tanh on the sum (what the tfjs twin in user_rnn_cell_io.test.ts computes). */
export class TanhMinimalCell extends LinearMinimalCell {
  static className = 'TanhMinimalCell';
  call(inputs: rl.Tensor | rl.Tensor[]) {
    const out = rl.tanh(super.call(inputs)[0]);
    return [out, out];
  }
}
rl.serialization.registerClass(TanhMinimalCell);
