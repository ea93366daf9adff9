/**
 * What SimpleRNN, LSTM and GRU share: Keras's options, weight layout (kernel [in, G*units],
 * recurrent_kernel [units, G*units], bias) and the checks on inputs, masks and initial states.
 */
import { type FArray } from '../backend/index.js';
import * as ops from '../autograd/ops.js';
import { recurrent, GATES, type CellKind, type StateGradExtras } from '../autograd/recurrent_ops.js';
import { globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkActivation } from './activations.js';
import type { InitializerName } from './initializers.js';
import { Layer, checkPositiveInt, checkRate, fmt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';

export interface RNNArgs extends LayerArgs {
  units: number;
  activation?: ops.Activation;
  recurrentActivation?: ops.Activation;
  useBias?: boolean;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  /** Fraction of input features dropped while training (one mask per sequence, as Keras). */
  dropout?: number;
  kernelInitializer?: InitializerName;
  recurrentInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

export interface RNNRun {
  /** The layer's output: the whole sequence with returnSequences, else the last output. */
  output: Tensor;
  /** Final states: [h] or, for LSTM, [h, c]. */
  states: Tensor[];
  sequence: Tensor;
  gates: FArray | null;
}

export abstract class RNN extends Layer {
  abstract readonly cell: CellKind;
  readonly units: number;
  readonly activation: ops.Activation;
  readonly recurrentActivation: ops.Activation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  goBackwards: boolean;
  readonly dropout: number;
  readonly kernelInitializer: InitializerName;
  readonly recurrentInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  kernel!: Variable;
  recurrentKernel!: Variable;
  bias: Variable | null = null;

  constructor(args: RNNArgs, prefix: string) {
    super(args, prefix);
    this.units = checkPositiveInt(this.name, 'units', args.units);
    this.activation = checkActivation(this.name, args.activation ?? 'tanh');
    this.recurrentActivation = checkActivation(this.name, args.recurrentActivation ?? 'sigmoid');
    if (this.activation === 'softmax' || this.recurrentActivation === 'softmax') throw new Error(`${this.name}: softmax cannot be a recurrent activation`);
    this.useBias = args.useBias ?? true;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.dropout = checkRate(this.name, 'dropout', args.dropout ?? 0);
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = args.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
  }

  protected abstract biasShape(): number[];
  protected initBias(_bias: Variable): void {}

  /** Number of state tensors (LSTM: h and c). */
  get stateCount(): number { return this.cell === 'lstm' ? 2 : 1; }

  build(inputShape: SymbolicShape): void {
    const D = inputShape[2];
    if (inputShape.length !== 3 || D === null) {
      throw new Error(`${this.name} (${this.className}): expected input (batch, steps, features), got ${fmt(inputShape)}`);
    }
    const GU = GATES[this.cell] * this.units;
    this.kernel = this.addWeight('kernel', [D, GU], this.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, GU], this.recurrentInitializer);
    if (this.useBias) {
      this.bias = this.addWeight('bias', this.biasShape(), this.biasInitializer);
      this.initBias(this.bias);
    }
    super.build(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (${this.className}): expected input (batch, steps, features), got ${fmt(inputShape)}`);
    return this.returnSequences ? [inputShape[0], inputShape[1], this.units] : [inputShape[0], this.units];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    return this.run(x, ctx).output;
  }

  /** Runs the layer with optional initial states ([h] or [h, c], each [batch, units]); returns output and final states. */
  run(x: Tensor, ctx: CallContext, initialState?: Tensor[]): RNNRun {
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    const [B, T, D] = x.shape;
    if (x.rank !== 3) throw new Error(`${this.name} (${this.className}): expected input of rank 3 (batch, steps, features), got [${x.shape.join(', ')}]`);
    if (D !== this.kernel.shape[0]) {
      throw new Error(`${this.name} (${this.className}): input has ${D} features but the layer was built for ${this.kernel.shape[0]}`);
    }
    const mask = ctx.mask;
    if (mask && mask.length !== B * T) {
      throw new Error(`${this.name} (${this.className}): mask has ${mask.length} entries, but input [${B}, ${T}, ${D}] needs ${B * T} (batch x steps)`);
    }
    let h0: Tensor | null = null, c0: Tensor | null = null;
    if (initialState) {
      if (initialState.length !== this.stateCount) {
        throw new Error(`${this.name} (${this.className}): expected ${this.stateCount} initial state tensor(s), got ${initialState.length}`);
      }
      initialState.forEach((s, i) => {
        if (s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== this.units) {
          throw new Error(`${this.name} (${this.className}): initial state ${i} must have shape [${B}, ${this.units}], got [${s.shape.join(', ')}]`);
        }
      });
      [h0, c0 = null] = initialState;
    }
    let input = x;
    if (ctx.training && this.dropout > 0) {
      const keep = new Uint8Array(B * D);
      for (let i = 0; i < keep.length; i++) keep[i] = globalRandom.next() >= this.dropout ? 1 : 0;
      const full = new Uint8Array(B * T * D);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) full.set(keep.subarray(b * D, (b + 1) * D), (b * T + t) * D);
      input = ops.dropout(x, this.dropout, full);
    }
    const spec = {
      cell: this.cell, units: this.units, act: ops.actCode(this.activation), recAct: ops.actCode(this.recurrentActivation),
      goBackwards: this.goBackwards, resetAfter: this.resetAfterFlag(),
    };
    const onStateGrad = ctx.stateGrads ? (dh: FArray, more: StateGradExtras) => ctx.stateGrads!.push({ layer: this.name, className: this.className, dh,
      shape: [B, T, this.units], ...(more.dc ? { dc: more.dc } : {}), dx: more.dx, inputSize: D }) : undefined;
    const res = recurrent(spec, input, this.kernel, this.recurrentKernel, this.bias, h0, c0, mask, onStateGrad);
    if (ctx.trace) ctx.trace.push({ layer: this.name, className: this.className, hiddenStates: res.sequence, gates: this.splitGates(res.gates, B, T) });
    if (!this.returnSequences) ctx.mask = null;
    return {
      output: this.returnSequences ? res.sequence : res.last,
      states: res.cell ? [res.last, res.cell] : [res.last],
      sequence: res.sequence,
      gates: res.gates,
    };
  }

  protected resetAfterFlag(): boolean { return false; }
  protected gateNames(): string[] { return []; }

  private splitGates(g: FArray | null, B: number, T: number): Record<string, Tensor> | undefined {
    const names = this.gateNames();
    if (!g || names.length === 0) return undefined;
    const U = this.units, G = names.length;
    const out: Record<string, Tensor> = {};
    names.forEach((name, k) => {
      const d = new Float32Array(B * T * U);
      for (let row = 0; row < B * T; row++) for (let u = 0; u < U; u++) d[row * U + u] = g[row * G * U + k * U + u];
      out[name] = new Tensor(d, [B, T, U], 'float32');
    });
    return out;
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, activation: this.activation, recurrentActivation: this.recurrentActivation,
      useBias: this.useBias, returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards,
      dropout: this.dropout, kernelInitializer: this.kernelInitializer, recurrentInitializer: this.recurrentInitializer,
      biasInitializer: this.biasInitializer };
  }
}
