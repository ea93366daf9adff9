/**
 * What SimpleRNN, LSTM and GRU share: Keras's options, weight layout (kernel [in, G*units],
 * recurrent_kernel [units, G*units], bias) and the checks on inputs, masks and initial states.
 */
import { allocFloat, allocPersistent, type FArray } from '../backend/index.js';
import { accumulate, record } from '../autograd/tape.js';
import { describe } from '../describe.js';
import * as ops from '../autograd/ops.js';
import { recurrent, type CellKind, type RecurrentOutputs, type StateGradExtras } from '../autograd/recurrent_ops.js';
import { drawKeepMasks, maskCount, recurrentComposed } from '../autograd/recurrent_dropout.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { checkKernelActivation, tfjsActivationName } from './activations.js';
import { checkInitializer, INITIALIZERS, serializeInitializer, type InitializerName } from './initializers.js';
import { checkConstraint, serializeConstraint, type Constraint } from './constraints.js';
import { checkRegularizer, serializeRegularizer, type L1L2 } from './regularizers.js';
import { COMPUTE, BuiltInLayer, Layer, checkBool, checkPositiveInt, checkRate, kerasShape, type CallContext, type Kwargs, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { checkHasSteps, checkInputLength, dimInputShape } from './recurrent_input_shape.js';
import type { InitializerArg, RegularizerArg, ConstraintArg, RecurrentActivationArg } from './option_types.js';

export interface RNNArgs extends LayerArgs {
  units: number;
  /** Default 'tanh'; null: none (linear), as Keras's None. */
  activation?: RecurrentActivationArg | null;
  /** Default true. */
  useBias?: boolean;
  /** Default false: only the last output. */
  returnSequences?: boolean;
  /** Default false. The final states as extra outputs: usable through layer.run, an error inside a Sequential. */
  returnState?: boolean;
  /** Default false. */
  goBackwards?: boolean;
  /**
   * Default false. true: the final states of each batch are the initial states of the next (Keras/tfjs), until
   * resetStates(). Needs a fixed batch size (batchInputShape, or batchSize with inputShape, on the first layer).
   */
  stateful?: boolean;
  /** Default 0. Fraction of input features dropped while training (one mask per sequence, as Keras). */
  dropout?: number;
  /**
   * Default 0. Fraction of h_{t-1}'s units dropped where it enters the recurrent product, while training (Keras:
   * one mask per sequence, the same at every step; GRU one per gate). Training then composes each step from autograd
   * ops instead of the fused kernels; predict and evaluate are unchanged.
   */
  recurrentDropout?: number;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerArg;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerArg;
  /** Default 'zeros'. */
  biasInitializer?: InitializerArg;
  /** Default none: 'l1', 'l2', 'l1l2', rl.regularizers.l2({l2}) or Keras's {className: 'L2', config}. */
  kernelRegularizer?: RegularizerArg;
  /** Default none. */
  recurrentRegularizer?: RegularizerArg;
  /** Default none. */
  biasRegularizer?: RegularizerArg;
  /** Default none: 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl.constraints.* or Keras's {className, config}. */
  kernelConstraint?: ConstraintArg;
  /** Default none. */
  recurrentConstraint?: ConstraintArg;
  /** Default none. */
  biasConstraint?: ConstraintArg;
  /** tfjs: with inputDim, the input shape [inputLength, inputDim] (without it, any number of steps). */
  inputLength?: number;
  /** Keras's speed mode (0, 1 or 2; default 2): every value computes the same here; kept in the config. */
  implementation?: number;
  /** Keras's unroll: every value computes the same here (the fused kernels never unroll); kept in the config. */
  unroll?: boolean;
  /**
   * Default false: a masked step's output repeats the previous one (tfjs 4.22). true (Keras's zero_output_for_mask):
   * it is zeros, and without returnSequences the last output is zeros when the last processed step is masked (Keras's
   * step loop). The states are carried over masked steps either way.
   */
  zeroOutputForMask?: boolean;
}

/** LSTM's and GRU's extra argument. */
export interface GatedRNNArgs extends RNNArgs {
  /** Default 'sigmoid'; null: none (linear), as Keras's None. */
  recurrentActivation?: RecurrentActivationArg | null;
}

export interface RNNRun {
  /** The layer's output: the whole sequence with returnSequences, else the last output. */
  output: Tensor;
  /** Final states: [h] or, for LSTM, [h, c]. */
  states: Tensor[];
  sequence: Tensor;
  gates: FArray | null;
}

export abstract class RNN extends BuiltInLayer {
  override supportsMasking = true;
  /** Which fused kernel computes the layer (recurrent_ops' spec.cell). */
  abstract readonly cellKind: CellKind;
  readonly units: number;
  readonly activation: ops.Activation;
  readonly recurrentActivation: ops.Activation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  goBackwards: boolean;
  private readonly statefulFlag: boolean;
  /** A stateful layer's final states of its last call (detached copies); null: zeros. */
  private carried: Tensor[] | null = null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly kernelInitializer: InitializerName;
  readonly recurrentInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly kernelRegularizer: L1L2 | null;
  readonly recurrentRegularizer: L1L2 | null;
  readonly biasRegularizer: L1L2 | null;
  readonly kernelConstraint: Constraint | null;
  readonly recurrentConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;

  /** inputLength is read into the declared input shape (batchInputShape), which the config carries. */
  static override readonly argAliases: readonly string[] = ['inputLength', 'zeroOutputForMask'];
  readonly unroll: boolean;
  readonly zeroOutputForMask: boolean;
  /** Keras's implementation (default 2), written back to the config; SimpleRNN has none. */
  readonly implementation: number;

  constructor(args: GatedRNNArgs, prefix: string) {
    // stateful and recurrentDropout: options of the unsupported-options table that recurrent layers implement.
    const dimShape = dimInputShape(args);
    super({ ...args, stateful: undefined, recurrentDropout: undefined, implementation: undefined, unroll: undefined, ...(dimShape ? { inputShape: dimShape, inputDim: undefined } : {}) } as LayerArgs, prefix);
    checkInputLength(`${this.name} (${this.className})`, args);
    this.unroll = checkBool(this.name, 'unroll', args.unroll, false);
    this.zeroOutputForMask = checkBool(this.name, 'zeroOutputForMask', args.zeroOutputForMask, false);
    const mode = args.implementation ?? 2;
    if (![0, 1, 2].includes(mode)) throw new Error(`${this.name} (${this.className}): implementation = ${typeof mode === 'object' ? describe(mode) : JSON.stringify(mode)} is not supported (Keras knows modes 0, 1 and 2)`);
    this.implementation = mode;
    this.statefulFlag = checkBool(this.name, 'stateful', args.stateful, false);
    this.units = checkPositiveInt(this.name, 'units', args.units);
    // Only an absent option takes the default: null is no activation (linear), as Keras's None and tfjs's null.
    this.activation = checkKernelActivation(this.name, 'activation', args.activation === undefined ? 'tanh' : args.activation);
    this.recurrentActivation = checkKernelActivation(this.name, 'recurrentActivation', args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation);
    this.useBias = checkBool(this.name, 'useBias', args.useBias, true);
    this.returnSequences = checkBool(this.name, 'returnSequences', args.returnSequences, false);
    this.returnState = checkBool(this.name, 'returnState', args.returnState, false);
    this.goBackwards = checkBool(this.name, 'goBackwards', args.goBackwards, false);
    this.dropout = checkRate(this.name, 'dropout', args.dropout ?? 0);
    this.recurrentDropout = checkRate(this.name, 'recurrentDropout', args.recurrentDropout ?? 0);
    this.kernelInitializer = checkInitializer(this.name, 'kernelInitializer', args.kernelInitializer ?? 'glorotUniform');
    this.recurrentInitializer = checkInitializer(this.name, 'recurrentInitializer', args.recurrentInitializer ?? 'orthogonal');
    this.biasInitializer = checkInitializer(this.name, 'biasInitializer', args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = checkRegularizer(this.name, 'kernelRegularizer', args.kernelRegularizer);
    this.recurrentRegularizer = checkRegularizer(this.name, 'recurrentRegularizer', args.recurrentRegularizer);
    this.biasRegularizer = checkRegularizer(this.name, 'biasRegularizer', args.biasRegularizer);
    this.kernelConstraint = checkConstraint(this.name, 'kernelConstraint', args.kernelConstraint);
    this.recurrentConstraint = checkConstraint(this.name, 'recurrentConstraint', args.recurrentConstraint);
    this.biasConstraint = checkConstraint(this.name, 'biasConstraint', args.biasConstraint);
  }

  /** Fixed when the layer is made (its states, batch size and built shape depend on it). */
  override get stateful(): boolean { return this.statefulFlag; }
  override set stateful(_value: boolean) { throw new Error(`${this.name} (${this.className}): stateful is fixed when the layer is made; make a new layer with stateful: ${!this.statefulFlag}`); }

  /** Gates per unit (the kernel is [features, gateCount * units]). */
  protected abstract gateCount(): number;
  protected abstract biasShape(): number[];
  /** The bias initializer; LSTM's unitForgetBias adds ones for the forget gate. */
  protected biasFill(): WeightSpec['initializer'] { return this.biasInitializer; }

  /** Number of state tensors (LSTM: h and c). */
  get stateCount(): number { return 1; }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const D = inputShape[2];
    if (inputShape.length !== 3 || D === null) {
      throw new Error(`${this.name} (${this.className}): needs input (batch, steps, features), got ${kerasShape(inputShape)}`);
    }
    const GU = this.gateCount() * this.units;
    return [
      { name: 'kernel', shape: [D, GU], initializer: this.kernelInitializer, regularizer: this.kernelRegularizer, constraint: this.kernelConstraint },
      { name: 'recurrent_kernel', shape: [this.units, GU], initializer: this.recurrentInitializer, regularizer: this.recurrentRegularizer, constraint: this.recurrentConstraint },
      ...(this.useBias ? [{ name: 'bias', shape: this.biasShape(), initializer: this.biasFill(), regularizer: this.biasRegularizer, constraint: this.biasConstraint }] : []),
    ];
  }

  build(inputShape: SymbolicShape): void {
    if (this.stateful && inputShape[0] === null) {
      throw new Error(`${this.name} (${this.className}): stateful needs a fixed batch size; give the first layer batchInputShape `
        + `(or batchSize with inputShape), or rl.input a batchShape; got input ${kerasShape(inputShape)}`);
    }
    // States set before the build take batchInputShape's batch; a layer applied to an input of another batch builds for that.
    const set = this.carried?.[0]?.shape[0];
    if (this.stateful && set !== undefined && set !== inputShape[0]) {
      throw new Error(`${this.name} (${this.className}): its states were set for batches of ${set} (batchInputShape) before it was built, `
        + `but it is built for input ${kerasShape(inputShape)}; call resetStates() first, or give it input of batch ${set}`);
    }
    super.build(inputShape);
  }

  /**
   * A stateful layer's batch size: fixed when it was built, or before that by its batchInputShape (or batchSize),
   * which its build then binds (its states' shapes are known then too: [batch, units]).
   */
  private statefulBatch(): number {
    const B = this.builtInputShape?.[0] ?? this.batchInputShape?.[0];
    if (typeof B !== 'number') {
      throw new Error(`${this.name} (${this.className}): stateful layer is not built yet, so its batch size is unknown (give it batchInputShape, or call it once)`);
    }
    return B;
  }

  private checkStatefulBatch(B: number): void {
    const fixed = this.statefulBatch();
    // The model's fit, evaluate, predict and their kin check first, naming their own options; this is a direct call's.
    if (B !== fixed) {
      throw new Error(`${this.name} (${this.className}): stateful layer was built for batches of ${fixed}, got a batch of ${B}; every call must have ${fixed} samples `
        + `(fit, evaluate, predict: batchSize ${fixed}; a dataset: .batch(${fixed}))`);
    }
  }

  /** A stateful layer is built for the batch size it first sees, and says so when a batch differs. */
  protected checkInput(x: Tensor): void {
    if (this.stateful) {
      if (!this.built) this.build([...x.shape]);
      this.checkStatefulBatch(x.shape[0]);
    }
    super.checkInput(x);
  }

  /**
   * tfjs's resetStates(states?): zeros, or the given states ([h] or, for LSTM, [h, c], each [batch, units]) as the
   * initial states of the next call. model.resetStates() calls it on every stateful layer.
   */
  resetStates(states?: Tensor | Tensor[] | null): void {
    if (!this.stateful) throw new Error(`${this.name} (${this.className}): resetStates() needs a layer made with stateful: true`);
    if (states === undefined || states === null) { this.carried = null; return; }
    const list = Array.isArray(states) ? states : [states];
    if (list.length !== this.stateCount) throw new Error(`${this.name} (${this.className}): resetStates expects ${this.stateCount} state tensor(s), got ${list.length}`);
    const B = this.statefulBatch();
    list.forEach((s, i) => {
      if (!(s instanceof Tensor) || s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== this.units) {
        throw new Error(`${this.name} (${this.className}): resetStates: state ${i} must be a tensor of shape [${B}, ${this.units}], got ${s instanceof Tensor ? `[${s.shape.join(', ')}]` : describe(s)}`);
      }
    });
    this.carried = list.map(detachedCopy);
  }

  /** The states the next call of a stateful layer starts from (zeros after a reset); copies. */
  getStates(): Tensor[] {
    if (!this.stateful) throw new Error(`${this.name} (${this.className}): getStates() needs a layer made with stateful: true`);
    const B = this.statefulBatch();
    return this.carried ? this.carried.map(detachedCopy)
      : Array.from({ length: this.stateCount }, () => new Tensor(allocPersistent(B * this.units).fill(0), [B, this.units], 'float32'));
  }

  /**
   * tfjs's layer.states: a stateful layer's current states (getStates' copies, zeros before the first call); one
   * null per state otherwise, as tfjs (it has no carried states to show). Assigning is resetStates(states).
   */
  get states(): (Tensor | null)[] {
    // Before the build, as getStates: known once batchInputShape (or batchSize) fixes the batch.
    const known = this.built || typeof this.batchInputShape?.[0] === 'number';
    if (!this.stateful || !known) return Array.from({ length: this.stateCount }, () => null);
    return this.getStates();
  }

  set states(states: Tensor[]) { this.resetStates(states); }

  /**
   * tfjs's layer.cell: the matching cell (an LSTMCell for LSTM), made when first asked for. It computes with this
   * layer, so its weights are this layer's variables and it is built when this layer is.
   */
  get cell(): CellView {
    if (!cellOfLayer) throw new Error(`${this.name} (${this.className}): layer.cell needs rnnlab's cells (src/layers/rnn_cells.ts) loaded`);
    return cellOfLayer(this);
  }

  get kernel(): Variable { return this.weightNamed('kernel')!; }
  get recurrentKernel(): Variable { return this.weightNamed('recurrent_kernel')!; }
  get bias(): Variable | null { return this.weightNamed('bias'); }

  extraOutputsOption(): string | null { return this.returnState ? 'returnState' : null; }

  /** The output's shape alone (the states, with returnState, are (batch, units) each). */
  sequenceOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (${this.className}): expected input (batch, steps, features), got ${kerasShape(inputShape)}`);
    return this.returnSequences ? [inputShape[0], inputShape[1], this.units] : [inputShape[0], this.units];
  }

  /** tfjs's and Keras's: with returnState, the list [output, ...states] of shapes; else the output's shape. */
  computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | (Tensor | null)[]): Tensor | null {
    return sequenceOutputMask(this.returnSequences, mask);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (!this.returnState) return this.sequenceOutputShape(inputShape);
    // Layer's signature holds one shape; widening it reaches src/models (Sequential), so the list is cast as CellRNN's is.
    return this.computeOutputShapes([inputShape]) as unknown as SymbolicShape;
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    return this.run(x, ctx).output;
  }

  /** apply([x, ...states]) is apply(x, {initialState: states}), as tfjs reads it. */
  override get takesInitialStateList(): boolean { return true; }

  /** Inputs [x, ...initialState] (tfjs's call convention); outputs [output, ...finalStates] with returnState. */
  callTensors(inputs: Tensor[], ctx: CallContext, _logits: boolean, inputCount = inputs.length): Tensor[] {
    this.checkStateInputs(inputs.length, inputCount);
    this.checkInput(inputs[0]);
    const r = this.run(inputs[0], ctx, inputs.length > 1 ? inputs.slice(1) : undefined);
    return this.returnState ? [r.output, ...r.states] : [r.output];
  }

  computeOutputShapes(inputShapes: SymbolicShape[], inputCount = inputShapes.length): SymbolicShape[] {
    this.checkStateInputs(inputShapes.length, inputCount);
    inputShapes.slice(1).forEach((s, i) => {
      if (s.length !== 2 || (s[1] !== null && s[1] !== this.units)) {
        throw new Error(`${this.name} (${this.className}): initial state ${i} must have shape (batch, ${this.units}), got ${kerasShape(s)}`);
      }
    });
    const out = this.sequenceOutputShape(inputShapes[0]);
    const state: SymbolicShape = [inputShapes[0][0], this.units];
    return this.returnState ? [out, ...Array.from({ length: this.stateCount }, () => state)] : [out];
  }

  buildFor(inputShapes: SymbolicShape[], inputCount = inputShapes.length): void {
    this.checkStateInputs(inputShapes.length, inputCount);
    this.build(inputShapes[0]);
  }

  private checkStateInputs(n: number, inputCount: number): void {
    if (inputCount !== 1) throw new Error(`${this.name} (${this.className}): takes one input tensor (initial states go in initialState), got ${inputCount}`);
    if (n > 1 && n - 1 !== this.stateCount) {
      throw new Error(`${this.name} (${this.className}): expected ${this.stateCount} initial state tensor(s), got ${n - 1}`);
    }
  }

  /** Runs the layer with optional initial states ([h] or [h, c], each [batch, units]); returns output and final states. */
  run(x: Tensor, ctx: CallContext, initialState?: Tensor[]): RNNRun {
    if (!this.built) this.build([this.stateful ? x.shape[0] : null, ...x.shape.slice(1)]);
    const [B, T, D] = x.shape;
    if (this.stateful) {
      this.checkStatefulBatch(B);
      initialState ??= this.carried ?? undefined;
    }
    if (x.rank !== 3) throw new Error(`${this.name} (${this.className}): expected input of rank 3 (batch, steps, features), got [${x.shape.join(', ')}]`);
    checkHasSteps(`${this.name} (${this.className})`, x.shape);
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
    const recurrentDropping = ctx.training && this.recurrentDropout > 0;
    // softmax (over each gate's units, as Keras applies it) has no elementwise step kernel: such a layer always runs
    // the composed steps, in predict too.
    const softmaxStep = this.activation === 'softmax' || this.recurrentActivation === 'softmax';
    // Input masks as Keras draws them: one per sequence, or one per gate under Keras's implementation 1 (which
    // recurrent_dropout forces on LSTM and GRU cells; SimpleRNN has one gate). Per-gate inputs need the composed steps.
    const perGate = this.implementation === 1 || this.recurrentDropout > 0;
    const inputs = ctx.training && this.dropout > 0
      ? drawKeepMasks(perGate ? maskCount(this.cellKind) : 1, B * D, this.dropout).map((keep) => ops.dropout(x, this.dropout, overSteps(keep, B, T, D)))
      : [x];
    const composed = recurrentDropping || softmaxStep || inputs.length > 1;
    let res: RecurrentOutputs;
    if (composed) {
      if (ctx.stateGrads) {
        const why = recurrentDropping ? 'while training with recurrentDropout' : softmaxStep ? 'for a softmax activation or recurrentActivation' : 'while training with dropout under implementation 1';
        throw new Error(`${this.name} (${this.className}): per-step state gradients are not recorded ${why}`);
      }
      const rec = recurrentDropping ? { rate: this.recurrentDropout, masks: drawKeepMasks(maskCount(this.cellKind), B * this.units, this.recurrentDropout) } : null;
      const spec = { cell: this.cellKind, units: this.units, act: this.activation, recAct: this.recurrentActivation, goBackwards: this.goBackwards, resetAfter: this.resetAfterFlag() };
      res = recurrentComposed(spec, inputs, this.kernel, this.recurrentKernel, this.bias, h0, c0, mask, rec);
    } else {
      const spec = {
        cell: this.cellKind, units: this.units, act: ops.actCode(this.activation), recAct: ops.actCode(this.recurrentActivation),
        goBackwards: this.goBackwards, resetAfter: this.resetAfterFlag(), sequenceNeeded: this.returnSequences || !!ctx.trace,
      };
      const onStateGrad = ctx.stateGrads ? (dh: FArray, more: StateGradExtras) => ctx.stateGrads!.push({ layer: this.name, className: this.className, dh,
        shape: [B, T, this.units], ...(more.dc ? { dc: more.dc } : {}), dx: more.dx, inputSize: D }) : undefined;
      res = recurrent(spec, inputs[0], this.kernel, this.recurrentKernel, this.bias, h0, c0, mask, onStateGrad);
    }
    if (ctx.trace) ctx.trace.push({ layer: this.name, className: this.className, hiddenStates: res.sequence, gates: this.splitGates(res.gates, B, T) });
    if (!this.returnSequences) ctx.mask = null;
    const states = res.cell ? [res.state, res.cell] : [res.state];
    // Kept off the tape and out of predict's scratch memory, which the next batch reuses.
    if (this.stateful) this.carried = states.map(detachedCopy);
    const output = this.returnSequences ? res.sequence : res.last;
    return {
      output: this.zeroOutputForMask && mask ? zeroMaskedSteps(output, mask, T, this.goBackwards) : output,
      states,
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
    return { ...super.getConfig(), units: this.units, activation: tfjsActivationName(this.activation), useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer), recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer), kernelRegularizer: serializeRegularizer(this.kernelRegularizer),
      recurrentRegularizer: serializeRegularizer(this.recurrentRegularizer), biasRegularizer: serializeRegularizer(this.biasRegularizer),
      activityRegularizer: serializeRegularizer(this.activityRegularizer), kernelConstraint: serializeConstraint(this.kernelConstraint),
      recurrentConstraint: serializeConstraint(this.recurrentConstraint), biasConstraint: serializeConstraint(this.biasConstraint),
      dropout: this.dropout, recurrentDropout: this.recurrentDropout, returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, stateful: this.stateful, unroll: this.unroll,
      // Written only when set, as Keras 2 writes it: configs saved before the option existed stay as they were.
      ...(this.zeroOutputForMask ? { zeroOutputForMask: true } : {}) };
  }
}

/** Set by rnn_cells.ts, which imports this module's subclasses (so this module cannot import it). */
let cellOfLayer: ((layer: RNN) => CellView) | null = null;
export function setCellOfLayer(make: (layer: RNN) => CellView): void { cellOfLayer = make; }

/**
 * What layer.cell gives: rnn_cells.ts's RNNCell, named here by its shape, since that module imports this one's
 * subclasses (an import back, even of a type, would tie the two in a cycle).
 */
export type CellView = {
  readonly units: number;
  readonly stateSize: number | number[];
  readonly kernel: Variable | undefined;
  readonly recurrentKernel: Variable | undefined;
  readonly bias: Variable | null | undefined;
  /** One step: [x_t, ...states] to [output, ...newStates] (first in the intersection, so it overloads Layer's call first). */
  call(inputs: Tensor[], kwargs?: Kwargs): Tensor[];
} & Layer;

/**
 * A recurrent layer's computeMask (tfjs's and Keras's, asked directly): the input's mask with returnSequences, else
 * none. Answered without computing, so a stateful layer's carried states do not move.
 */
export function sequenceOutputMask(returnSequences: boolean, mask: Tensor | null | (Tensor | null)[]): Tensor | null {
  const m = Array.isArray(mask) ? mask[0] : mask;
  return returnSequences ? m ?? null : null;
}

/**
 * Keras's zero_output_for_mask: y ([B, T, U] in processing order, or the last output [B, U]) with the rows of masked
 * steps zeroed; the gradient of those rows is dropped. mask is [B, T] in time order, so a goBackwards layer's
 * processing step t is time T-1-t, and its last output is time 0's.
 */
export function zeroMaskedSteps(y: Tensor, mask: Uint8Array, T: number, goBackwards: boolean): Tensor {
  const B = y.shape[0], U = y.shape[y.rank - 1];
  const sequence = y.rank === 3;
  const rows = sequence ? B * T : B;
  const keep = new Uint8Array(rows);
  for (let b = 0; b < B; b++) {
    if (!sequence) keep[b] = mask[b * T + (goBackwards ? 0 : T - 1)];
    else for (let t = 0; t < T; t++) keep[b * T + t] = mask[b * T + (goBackwards ? T - 1 - t : t)];
  }
  if (keep.every((k) => k !== 0)) return y;
  const apply = (src: FArray): FArray => {
    const out = allocFloat(src.length);
    for (let r = 0; r < rows; r++) {
      if (keep[r]) out.set(src.subarray(r * U, (r + 1) * U), r * U);
      else out.fill(0, r * U, (r + 1) * U);
    }
    return out;
  };
  const out = new Tensor(apply(y.floatData()), [...y.shape], 'float32');
  return record(out, [y], () => accumulate(y, apply(out.grad!), true));
}

/** A [B, D] keep mask repeated over T steps: [B, T, D]. */
function overSteps(keep: Uint8Array, B: number, T: number, D: number): Uint8Array {
  const full = new Uint8Array(B * T * D);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) full.set(keep.subarray(b * D, (b + 1) * D), (b * T + t) * D);
  return full;
}

/** A stateful layer's carried state: kept off the tape and out of predict's scratch memory, which the next batch reuses. */
export function detachedCopy(t: Tensor): Tensor {
  const data = allocPersistent(t.size);
  data.set(t.floatData());
  return new Tensor(data, [...t.shape], 'float32');
}

/** model.resetStates(): every stateful recurrent layer's states back to zeros (Keras, tfjs). */
export function resetStatefulLayers(layers: readonly Layer[]): void {
  // Duck-typed so rl.layers.rnn({cell}) (src/layers/rnn_layer.ts) is reset too.
  for (const l of layers as (Layer & { stateful?: boolean; resetStates?: () => void })[]) if (l.stateful === true && l.resetStates) l.resetStates();
}

/** What LSTM and GRU add to SimpleRNN's config. */
export function gatedConfig(l: RNN): Record<string, unknown> {
  return { recurrentActivation: tfjsActivationName(l.recurrentActivation), implementation: l.implementation };
}

/** The bias fill with ones over [from, to) after the configured initializer (LSTM's forget gate). */
export function onesAfter(init: InitializerName, from: number, to: number): WeightSpec['initializer'] {
  return (shape, out) => {
    INITIALIZERS[init](shape, out);
    out.fill(1, from, to);
  };
}
