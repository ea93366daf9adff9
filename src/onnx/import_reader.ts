/**
 * Reads the data path of an ONNX graph forwards and turns it into layer specs: operators into layers, plus the
 * plumbing around recurrent nodes (time-major transposes, squeezes, last-step gathers, direction merges, and the
 * padding-mask subgraph exportOnnx writes). Anything else is refused by node and operator.
 */
import { attrFloat, attrInt, attrInts, attrString, attrsOf, type ConstTensor } from './read.js';
import { OnnxImportError } from './import_error.js';
import { ID_GUARD_DIVISOR } from './graph.js';
import { idsGuardLength } from './ids_guard.js';
import { dependsOn, dependsOnInput, directionOf, hasPaddingMask, type Graph, type Node, type Spec } from './import_graph.js';
import { importRecurrent, type RecurrentImport } from './recurrent_import.js';
import { isCompaction, isHasAny, isIdsMask, isMaskedDirection, isRestore, lensMask, RESTORE_PADS } from './import_mask.js';
import { ONNX_ACTIVATION } from './recurrent_export.js';
import { rowsShape } from './import_flatten.js';
import { isTorchSoftsign, torchActivationRefusal, writtenActivationAt } from './import_torch_activations.js';
import { affineSpec, batchNormalizationSpec, centeredAffineSpec, clipMax, layerNormalizationSpec, leakyReluSpec, type Place } from './import_norm.js';
import { wideSameWindow } from './import_wide_same.js';

const ACTIVATION_OF_OP: Record<string, string> = { ...Object.fromEntries(Object.entries(ONNX_ACTIVATION).map(([k, v]) => [v, k])), Softmax: 'softmax', LogSoftmax: 'log_softmax',
  Elu: 'elu', Selu: 'selu', Softplus: 'softplus', Softsign: 'softsign', HardSwish: 'hard_silu' };
/** The float attributes an activation operator must have to be Keras's activation of that name (float32-rounded). */
const KERAS_ATTRS: Record<string, Record<string, number>> = {
  HardSigmoid: { alpha: 0.2, beta: 0.5 }, Elu: { alpha: 1 }, Selu: { alpha: 1.6732632423543772, gamma: 1.0507009873554805 },
};
const PASS_THROUGH = new Set(['Identity', 'Cast', 'Dropout']);
const RECURRENT_OPS = new Set(['LSTM', 'GRU', 'RNN']);
const RECURRENT_CLASSES = new Set(['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional']);
// The imported layers whose rnnlab call sets the padding mask to null (they move or merge the steps it marks).
const MASK_DROPPING = new Set(['Conv1D', 'MaxPooling1D', 'AveragePooling1D', 'Flatten', 'RepeatVector', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D']);
// ONNX data type codes a Cast may convert to without changing the numbers: floats, and integers for the token ids.
const FLOAT_TYPES = new Set([1, 11]);
const INT_TYPES = new Set([6, 7]);

/** What a recurrent node's output is turned into on its way back to a (batch, ...) tensor. */
interface RecurrentState {
  node: Node;
  rec: RecurrentImport;
  /** dirsLast: a bidirectional Y as PyTorch turns it, [steps, batch, 2, units], before its Reshape to [steps, batch, 2·units]. */
  /** statesBatch: Y_h transposed to [batch, dirs, units], before its Reshape to [batch, dirs·units]. */
  stage: 'Y' | 'Y_h' | 'timeMajor' | 'batch4' | 'dirsLast' | 'statesBatch' | 'done';
  returnSequences: boolean;
  processingOrder: boolean;
  mergeMode: string;
  /** A bidirectional node's two directions have been merged (its output alone is not a Keras layer's). */
  merged: boolean;
  /** The exporter's Pad before the GatherElements that spreads a masked sequence back over the steps was read. */
  padded: boolean;
  /** The Mul by 0.5 of an 'ave' merge was read. */
  averaged: boolean;
  /** The one direction of a bidirectional node's Y_h read alone (PyTorch's h_n[-1]: 1, the backward one), unless merged. */
  only?: number;
  /** The padding mask whose count is the node's sequence_lens (the exporter's form), or null without sequence_lens. */
  mask: string | null;
  /** The tensor the exporter's restore Pad read (the compacted sequence), while its GatherElements is still ahead. */
  padInput?: string;
  /** The exporter's restore (Pad + GatherElements) was read after a masked sequence. */
  restored: boolean;
  /** The exporter's Mul by "row has a real step" was read after a masked final state. */
  emptyZeroed: boolean;
  /** Y (not Y_h) feeds the rest of the graph. */
  fromY: boolean;
}

/** How each layout reads in messages. */
const LAYOUT_WORDS: Record<Reader['layout'], string> = { keras: '(batch, steps, features)', timeMajor: '(steps, batch, features)', channelsFirst: '(batch, features, steps)' };

export class Reader {
  readonly specs: Spec[] = [];
  rank: number;
  layout: 'keras' | 'timeMajor' | 'channelsFirst' = 'keras';
  rnn: RecurrentState | null = null;
  /** The last layer can still take a following activation node as its own. */
  open = false;
  private repeat: number | null = null;
  /** Nodes ahead on the data path already read as part of the current one. */
  private skip = 0;
  /** The graph carries a padding mask: token id 0 from the input, or a Masking layer's (set when one is read). */
  private masked: boolean;
  /** The mask tensor each imported Masking layer's node computes (what sequence_lens must count after it). */
  private readonly maskingTensor = new Map<Spec, string>();
  /**
   * The length of the time axis where known: a Gather of step k is "the last step" only when k is this minus 1
   * (the graph input's dims[1] is not it after a RepeatVector, nor the features of a (batch, features) input).
   */
  private steps: number | null;
  /** The node being read: a layer made from it is named by it in errors its constructor throws. */
  private current: Node | null = null;
  /** For each spec, the node it was read from. */
  readonly origin = new Map<Spec, Node>();
  /** The window node exportOnnx's computed 'same' pads feed (import_wide_same.ts), while it is being read. */
  private sameWindow: Node | null = null;

  constructor(private readonly g: Graph) {
    this.rank = g.input.dims.length;
    this.masked = hasPaddingMask(g);
    this.steps = g.input.dims.length === 3 ? g.input.dims[1] : null;
  }

  fail(node: Node, why: string): never {
    throw new OnnxImportError(`${this.g.source}: node '${node.name ?? ''}' (${node.opType}): ${why}`);
  }

  private constOf(node: Node, index: number, what: string): ConstTensor {
    return this.g.consts.get(node.input?.[index] ?? '') ?? this.fail(node, `${what} must be a constant (an initializer)`);
  }

  private constInts(node: Node, index: number, what: string): number[] {
    return Array.from(this.constOf(node, index, what).values);
  }

  read(chain: { node: Node; out: string }[]): void {
    for (let i = 0; i < chain.length; i++) {
      const { node, out } = chain[i];
      if (this.skip > 0) { this.skip--; continue; }
      // The two nodes after this one on the data path: the exporter's multi-node patterns are recognised by them.
      const ahead = [chain[i + 1]?.node, chain[i + 2]?.node] as const;
      this.current = node;
      if (PASS_THROUGH.has(node.opType ?? '')) { this.passThrough(node); continue; }
      if (node.opType === 'Pad' && this.padsOf(node)?.every((p) => p === 0)) continue;
      if (node.opType === 'Mod' && this.idsGuard(node, ahead[0])) continue;
      const guard = this.specs.length === 0 ? idsGuardLength(this.g, chain, i) : 0;
      if (guard > 0) { this.skip = guard - 1; continue; }
      if (this.rnn && this.recurrentPlumbing(node, ahead[0])) continue;
      if (this.rnn) this.finishRecurrent(node);
      this.layerOp(node, out, ahead);
    }
    if (this.rnn) this.finishRecurrent(chain[chain.length - 1].node);
  }

  /**
   * Earlier exporters' guard before an Embedding's Gather, Mod(ids, 2^31 - 1) (today's: ids_guard.ts): it changes
   * only negative ids (sent past the table, refused), which rnnlab's Embedding refuses itself, so the model reads the
   * same without it.
   */
  private idsGuard(node: Node, next: Node | undefined): boolean {
    const divisor = this.g.consts.get(node.input?.[1] ?? '');
    return this.specs.length === 0 && next?.opType === 'Gather' && INT_TYPES.has(this.g.input.elemType)
      && attrInt(attrsOf(node), 'fmod', 0) === 0 && divisor?.values.length === 1 && Number(divisor.values[0]) === ID_GUARD_DIVISOR;
  }

  /** Identity, and Cast and Dropout only where they leave the numbers as they are (nothing accepted and ignored). */
  private passThrough(node: Node): void {
    const a = attrsOf(node);
    if (node.opType === 'Cast') {
      const to = attrInt(a, 'to', 0);
      const ids = this.specs.length === 0 && INT_TYPES.has(this.g.input.elemType);
      if (!FLOAT_TYPES.has(to) && !(ids && INT_TYPES.has(to))) {
        this.fail(node, `Cast to data type ${to} would change the values; only casts to float (and, on integer token ids, to int32/int64) are imported`);
      }
    }
    if (node.opType === 'Dropout' && node.input?.[2]) {
      const training = this.g.consts.get(node.input[2]);
      if (!training || Array.from(training.values).some((v) => v !== 0)) this.fail(node, 'a Dropout with training_mode other than a constant false is not imported (rnnlab imports the inference graph)');
    }
  }

  /**
   * Pad's pads (an attribute before opset 11, a constant input from 11), or null when computed in the graph. All 0,
   * the Pad changes nothing whatever its mode and value: PyTorch writes one before AvgPool1d.
   */
  private padsOf(node: Node): number[] | null {
    if (this.g.opset < 11) return attrInts(attrsOf(node), 'pads');
    const pads = this.g.consts.get(node.input?.[1] ?? '');
    return pads ? Array.from(pads.values) : null;
  }

  /** Squeeze/Unsqueeze axes: the second input from opset 13, the attribute before. */
  private axesOf(node: Node): number[] {
    if (node.input?.[1]) return this.constInts(node, 1, 'axes');
    return attrInts(attrsOf(node), 'axes') ?? this.fail(node, 'has no axes');
  }

  /** A bias ([units], or one value; leading axes of size 1) as the layer's [units] bias. */
  private bias(node: Node, b: ConstTensor, units: number): Float32Array {
    const lead = b.dims.slice(0, -1);
    if ((b.values.length !== units && b.values.length !== 1) || lead.some((d) => d !== 1)) this.fail(node, `a bias of shape [${b.dims}] is not a per-unit bias of ${units} units`);
    return broadcast(b.values as Float32Array, units);
  }

  private push(spec: Spec, open: boolean, from: Node | null = this.current): void {
    this.specs.push(spec);
    if (from) this.origin.set(spec, from);
    this.open = open;
  }

  private layerOp(node: Node, out: string, ahead: readonly (Node | undefined)[]): void {
    const op = node.opType ?? '';
    const a = attrsOf(node);
    if (this.repeat !== null && op !== 'Tile') this.fail(node, 'expected Tile after Unsqueeze (RepeatVector)');
    const wasOpen = this.open;
    this.open = false;
    switch (op) {
      case 'Gather': return this.embedding(node);
      case 'Transpose': return this.transpose(node, wasOpen);
      case 'LSTM': case 'GRU': case 'RNN': return this.recurrent(node, out);
      case 'Gemm': return this.gemm(node);
      case 'MatMul': {
        if (this.layout === 'channelsFirst') this.fail(node, 'a MatMul on channels-first (batch, channels, steps) data mixes steps, which no Dense does');
        const W = this.constOf(node, 1, 'the MatMul weight');
        if (W.dims.length !== 2) this.fail(node, `weight of shape [${W.dims}] is not a Dense kernel`);
        return this.push({ className: 'Dense', args: { units: W.dims[1], useBias: false }, weights: [W.values as Float32Array], wrapTime: this.rank > 2 }, true);
      }
      case 'Add': {
        const last = this.specs[this.specs.length - 1];
        const b = (node.input ?? []).map((n) => this.g.consts.get(n)).find(Boolean);
        if (!wasOpen || !b || last?.className !== 'Dense' || last.args.useBias !== false) this.fail(node, 'only a bias Add right after a MatMul is imported');
        // After a transpose to (batch, units, steps) the constant broadcasts along the steps, not the units.
        if (this.layout !== 'keras') this.fail(node, `a bias Add on ${LAYOUT_WORDS[this.layout]} data adds along its last axis, which is not the Dense layer's units; only a bias on channels-last data is imported`);
        last.args.useBias = true;
        last.weights.push(this.bias(node, b, last.args.units as number));
        this.open = true;
        return;
      }
      case 'Conv': return this.conv(node, a);
      case 'ReduceMean': case 'ReduceMax': return this.globalPooling(node, a);
      case 'MaxPool': case 'AveragePool': return this.pool(node, a);
      case 'BatchNormalization': return this.push(batchNormalizationSpec(this.place(), node), false);
      case 'LayerNormalization': return this.push(layerNormalizationSpec(this.place(), node), false);
      case 'LeakyRelu': return this.push(leakyReluSpec(node), false);
      case 'Clip': return this.clip(node, wasOpen);
      case 'Flatten':
        if (attrInt(a, 'axis', 1) !== 1) this.fail(node, 'only Flatten with axis 1 is imported');
        return this.flatten(node);
      case 'Reshape': {
        const rows = rowsShape(this.g, node);
        if (!rows) {
          const shape = this.g.consts.get(node.input?.[1] ?? '');
          this.fail(node, `a flatten was expected: only a Reshape to (batch, -1) rows is imported ([0, -1], [batch size, -1] for a fixed batch, [-1, width], or PyTorch's [x.size(0), -1]), got ${shape ? `[${Array.from(shape.values)}]` : 'a target shape computed in the graph in another way'}`);
        }
        return this.flatten(node, rows.width);
      }
      case 'Unsqueeze': {
        const axes = this.axesOf(node);
        if (this.rank !== 2 || axes.length !== 1 || axes[0] !== 1) this.fail(node, 'only Unsqueeze(axis 1) followed by Tile (RepeatVector) is imported');
        this.repeat = 0;
        return;
      }
      case 'Tile': {
        const reps = this.constInts(node, 1, 'repeats');
        if (this.repeat === null || reps.length !== 3 || reps[0] !== 1 || reps[2] !== 1) this.fail(node, 'only Tile [1, n, 1] after Unsqueeze(axis 1) is imported (RepeatVector)');
        this.repeat = null;
        this.rank = 3;
        this.steps = reps[1];
        return this.push({ className: 'RepeatVector', args: { n: reps[1] }, weights: [] }, false);
      }
      case 'Pad': return this.computedPad(node, ahead);
      case 'Mul': {
        if (this.masking(node)) return;
        if (this.maskedMean(node, ahead)) return;
        // GELU, SiLU, Mish or Hardswish written out of elementary operators: its nodes on the path after this one skipped.
        const written = writtenActivationAt(this.g, node, ahead[0]);
        if (written) { this.skip = written.skip; return this.activation(node, a, wasOpen, written.name); }
        this.refuseTorchActivation(node, ahead);
        this.push(affineSpec(this.place(), node, ahead[0]), false);
        this.skip = 1; // the Add, read with it
        return;
      }
      case 'Sub': {
        const spec = centeredAffineSpec(this.place(), node, ahead[0], ahead[1]);
        if (!spec) this.fail(node, "only a Sub of a constant followed by a Mul and an Add by constants (exportOnnx's BatchNormalization, (x - mean) * scale + beta) is imported of Sub");
        this.push(spec, false);
        this.skip = 2; // the Mul and the Add, read with it
        return;
      }
      case 'Slice':
        this.fail(node, `operator Slice is not imported here: a Slice is read only right after a recurrent node, as its last step with the Squeeze after it (out[:, -1], any opset) or, from opset 10, reversing a reverse layer's sequence (this graph declares opset ${this.g.opset})`);
      case 'Div':
        if (isTorchSoftsign(this.g, node)) return this.activation(node, a, wasOpen, 'softsign');
        this.fail(node, "only PyTorch's Softsign, x / (1 + Abs(x)), is imported of Div");
      default:
        if (op in ACTIVATION_OF_OP) return this.activation(node, a, wasOpen);
        // The exporter's mask compaction: real steps moved to the front, then time-major into the recurrent node.
        if (op === 'GatherElements' && this.masked && this.compaction(node, ahead)) return this.restore(wasOpen);
        if (op === 'GatherElements' && this.masked && ahead[0]?.opType === 'Transpose' && RECURRENT_OPS.has(ahead[1]?.opType ?? '')) {
          this.fail(node, `reorders the steps before recurrent node '${ahead[1]!.name ?? ''}' other than exportOnnx's mask compaction (TopK over the padding mask, real steps first, into sequence_lens)`);
        }
        this.fail(node, `operator ${op} is not imported (a chain of Gather, Gemm, MatMul, Add, Conv, MaxPool, AveragePool, ReduceMean/ReduceMax over time, Flatten, Unsqueeze+Tile, LSTM, GRU, RNN, BatchNormalization, LayerNormalization, LeakyRelu, Clip from 0, Masking's Mul and activations is)`);
    }
  }

  private restore(open: boolean): void { this.open = open; }

  /**
   * A Pad that pads: only exportOnnx's 'same' padding of a window whose stride passes its size, computed in the
   * graph, read with its window as that layer with padding 'same'.
   */
  private computedPad(node: Node, ahead: readonly (Node | undefined)[]): void {
    const pads = this.padsOf(node);
    if (pads) this.fail(node, `only a Pad whose pads are all 0 (it changes nothing, as PyTorch writes before AvgPool1d) or whose pads are exportOnnx's computed 'same' pads is imported; pads are [${pads}]`);
    const wide = wideSameWindow(this.g, node, ahead);
    if (typeof wide === 'string') this.fail(node, wide);
    this.sameWindow = wide.window;
    this.current = wide.window;
    if (wide.window.opType === 'Conv') this.conv(wide.window, attrsOf(wide.window));
    else this.pool(wide.window, attrsOf(wide.window));
    this.skip = wide.skip;
  }

  private refuseTorchActivation(node: Node, ahead: readonly (Node | undefined)[]): void {
    const why = torchActivationRefusal(this.g, node, ahead);
    if (why) this.fail(node, why);
  }

  private place(): Place {
    return { g: this.g, rank: this.rank, channelsLast: this.layout === 'keras', channelsFirst: this.layout === 'channelsFirst', fail: (n, why) => this.fail(n, why) };
  }

  /** Clip from 0: relu6 as the open layer's activation (Keras's relu6), else a ReLU layer with that maxValue. */
  private clip(node: Node, wasOpen: boolean): void {
    const max = clipMax(this.place(), node);
    const last = this.specs[this.specs.length - 1];
    if (wasOpen && max === 6 && last && (last.args.activation ?? 'linear') === 'linear') {
      last.args.activation = 'relu6';
      return;
    }
    const relu = { className: 'ReLU', args: max === null ? {} : { maxValue: max }, weights: [] };
    // A ReLU layer with maxValue exports as Relu then Clip: the Relu read alone is the same layer.
    if (last?.className === 'Activation' && last.args.activation === 'relu') this.specs[this.specs.length - 1] = relu;
    else this.push(relu, false);
  }

  /**
   * The Masking layer as exportOnnx writes it: x · Unsqueeze(ReduceMax(Cast(Not(Equal(x, maskValue))), [2]), [2]) on
   * (batch, steps, features). The recurrent layers after it then take sequence_lens from that mask.
   */
  /** The node that makes tensor t when its operator is op; else null. */
  private producerOf(t: string | undefined, op: string): Node | null {
    const n = this.g.producer.get(t ?? '');
    return n?.opType === op ? n : null;
  }

  private masking(node: Node): boolean {
    const [x, maskIn] = node.input ?? [];
    const unsqueeze = this.producerOf(maskIn, 'Unsqueeze');
    const reduce = this.producerOf(unsqueeze?.input?.[0], 'ReduceMax');
    const cast = this.producerOf(reduce?.input?.[0], 'Cast');
    const not = this.producerOf(cast?.input?.[0], 'Not');
    const equal = this.producerOf(not?.input?.[0], 'Equal');
    if (!unsqueeze || !reduce || !cast || !not || !equal || this.rank !== 3 || this.layout !== 'keras') return false;
    const value = this.g.consts.get(equal.input?.[1] ?? '');
    const ra = attrsOf(reduce);
    const reduceAxes = reduce.input?.[1] ? this.constInts(reduce, 1, 'axes') : attrInts(ra, 'axes');
    if (equal.input?.[0] !== x || !value || value.values.length !== 1 || !FLOAT_TYPES.has(attrInt(attrsOf(cast), 'to', 0))
      || reduceAxes?.join() !== '2' || attrInt(ra, 'keepdims', 1) !== 0 || this.axesOf(unsqueeze).join() !== '2') return false;
    this.masked = true;
    this.push({ className: 'Masking', args: { maskValue: value.values[0] }, weights: [] }, false);
    this.maskingTensor.set(this.specs[this.specs.length - 1], reduce.output?.[0] ?? '');
    return true;
  }

  /**
   * exportOnnx's masked GlobalAveragePooling1D: ReduceSum(x · m, [1]) / Max(ReduceSum(m, [1]), 1), m the padding
   * mask as (batch, steps, 1), read as the layer when rnnlab's own mask reaches it (it then averages the same steps).
   */
  private maskedMean(node: Node, [sum, div]: readonly (Node | undefined)[]): boolean {
    const out = (n: Node | undefined) => n?.output?.[0] ?? '';
    const [x, mIn] = node.input ?? [];
    const unsqueeze = this.producerOf(mIn, 'Unsqueeze');
    const steps = (r: Node) => (r.input?.[1] ? this.constInts(r, 1, 'axes') : attrInts(attrsOf(r), 'axes'))?.join();
    if (!unsqueeze || this.axesOf(unsqueeze).join() !== '2' || sum?.opType !== 'ReduceSum' || sum.input?.[0] !== out(node) || steps(sum) !== '1') return false;
    const max = this.producerOf(div?.input?.[1], 'Max');
    const count = this.producerOf(max?.input?.[0], 'ReduceSum');
    const one = this.g.consts.get(max?.input?.[1] ?? '');
    const keepdims = attrInt(attrsOf(sum), 'keepdims', 1);
    if (div?.opType !== 'Div' || div.input?.[0] !== out(sum) || !count || count.input?.[0] !== mIn || steps(count) !== '1'
      || attrInt(attrsOf(count), 'keepdims', 1) !== keepdims || one?.values.length !== 1 || one.values[0] !== 1) return false;
    // The mask must come from the graph's input alone, not from the data it weighs.
    const from = this.g.producer.get(x ?? '');
    if (!dependsOnInput(this.g, unsqueeze.input?.[0] ?? '') || (from && dependsOn(this.g, unsqueeze.input?.[0] ?? '', from))) return false;
    this.requireLayout(node, 'keras', 'a (batch, steps, features) input');
    if (!this.maskReaching() || !this.carriesMask(unsqueeze.input?.[0] ?? '')) this.fail(node, 'a masked mean over the steps whose mask is not the padding mask rnnlab would carry here (from an Embedding with mask_zero or a Masking layer)');
    if (!keepdims) this.rank = 2;
    this.steps = keepdims ? 1 : null;
    this.push({ className: 'GlobalAveragePooling1D', args: keepdims ? { keepdims: true } : {}, weights: [] }, false);
    this.skip = 2; // the ReduceSum and the Div, read with it
    return true;
  }

  /**
   * exportOnnx's GatherElements(x, order) feeding Transpose [1, 0, 2] into a recurrent node whose sequence_lens counts
   * the same mask the order sorts by.
   */
  private compaction(node: Node, [t, rnn]: readonly (Node | undefined)[]): boolean {
    const m = rnn?.input?.[4] ? lensMask(this.g, rnn.input[4]) : null;
    return t?.opType === 'Transpose' && attrInts(attrsOf(t), 'perm')?.join() === '1,0,2' && t.input?.[0] === node.output?.[0]
      && RECURRENT_OPS.has(rnn?.opType ?? '') && rnn?.input?.[0] === t.output?.[0] && m !== null && isCompaction(this.g, node, m);
  }

  private embedding(node: Node): void {
    const E = this.g.consts.get(node.input?.[0] ?? '');
    if (!E || E.dims.length !== 2 || this.specs.length > 0 || this.rank !== 2) this.fail(node, 'only a Gather from a constant table on the token ids (Embedding, first layer) is imported');
    if (attrInt(attrsOf(node), 'axis', 0) !== 0) this.fail(node, 'an Embedding Gather must use axis 0');
    const T = this.g.input.dims[1];
    this.rank = 3;
    this.steps = T;
    this.push({ className: 'Embedding', args: { inputDim: E.dims[0], outputDim: E.dims[1], ...(T ? { inputLength: T } : {}), maskZero: this.masked }, weights: [E.values as Float32Array] }, false);
  }

  private transpose(node: Node, wasOpen: boolean): void {
    const perm = (attrInts(attrsOf(node), 'perm') ?? []).join();
    if (perm === '1,0,2' && this.layout !== 'channelsFirst') this.layout = this.layout === 'keras' ? 'timeMajor' : 'keras';
    else if (perm === '0,2,1' && this.layout !== 'timeMajor') {
      this.layout = this.layout === 'keras' ? 'channelsFirst' : 'keras';
      this.open = wasOpen; // an activation after the transpose back still belongs to the Conv1D
    } else if (perm === '2,0,1' && this.layout === 'channelsFirst') {
      // PyTorch folds x.transpose(1, 2) after a Conv1d into the recurrent layer's own time-major transpose.
      this.layout = 'timeMajor';
      this.open = wasOpen;
    } else if (perm === '1,2,0' && this.layout === 'timeMajor') this.layout = 'channelsFirst';
    else this.fail(node, `transpose perm [${perm}] is not a layout change rnnlab knows in this place`);
  }

  private requireLayout(node: Node, layout: Reader['layout'], what: string): void {
    if (this.layout === layout && this.rank === 3) return;
    const here = this.rank === 3 ? `laid out ${LAYOUT_WORDS[this.layout]}` : `of rank ${this.rank}`;
    // PyTorch's default nn.LSTM/GRU/RNN (batch_first=False) read the graph's input as (steps, batch, ...) untransposed.
    const hint = layout === 'timeMajor' && this.layout === 'keras' && this.rank === 3
      ? ': the graph feeds it the model input unpermuted, which rnnlab reads as (batch, steps, features); export the PyTorch module with batch_first=True (or permute the input inside forward)'
      : '';
    this.fail(node, `expects ${what}; the data here is ${here}${hint}`);
  }

  private recurrent(node: Node, out: string): void {
    this.requireLayout(node, 'timeMajor', 'a time-major (steps, batch, features) input');
    const rec = importRecurrent(node, this.g.consts, this.g.producer, `${this.g.source}: node '${node.name ?? ''}' (${node.opType})`);
    // The imported layer skips padded steps exactly when rnnlab's mask reaches it; ONNX skips them only by
    // sequence_lens. The two must agree either way, or the imported model computes other numbers than the file.
    const reaches = this.maskReaching();
    if (rec.masked && !reaches) {
      this.fail(node, this.masked ? 'takes sequence_lens, but the padding mask does not reach this node in rnnlab (a layer before it drops the mask: Conv, pooling, Flatten, RepeatVector or a recurrent layer returning its last step only)'
        : 'sequence_lens is imported only with the padding mask (token id 0, or a Masking layer) that exportOnnx writes');
    }
    if (!rec.masked && reaches) {
      this.fail(node, `a padding mask (${reaches}) reaches this node in rnnlab, which would skip the padded steps, but the node takes no sequence_lens, so ONNX runs every step; give it the sequence_lens of exportOnnx's mask pattern, or drop the mask`);
    }
    const mask = rec.masked ? this.maskPlumbing(node, reaches!) : null;
    const which = (node.output ?? []).indexOf(out);
    if (which > 1) this.fail(node, 'only Y or Y_h may feed the rest of the graph');
    this.rnn = { node, rec, stage: which === 0 ? 'Y' : 'Y_h', returnSequences: which === 0, processingOrder: false, mergeMode: 'concat', merged: false, padded: false, averaged: false,
      mask, restored: false, emptyZeroed: false, fromY: which === 0 };
  }

  /**
   * The mask a recurrent node's sequence_lens counts, when the node sits in exportOnnx's plumbing: its input the
   * compaction of that mask (real steps first), made time-major, and the mask the one rnnlab carries here. Any other
   * sequence_lens (PyTorch's pack_padded_sequence: lengths computed in the graph, no compaction) would let ONNX cut
   * steps at the end only while rnnlab skips padding wherever it is: refused.
   */
  private maskPlumbing(node: Node, reaches: string): string {
    const m = lensMask(this.g, node.input?.[4] ?? '');
    const t = this.producerOf(node.input?.[0], 'Transpose');
    const gather = this.producerOf(t?.input?.[0], 'GatherElements');
    if (!m || !t || attrInts(attrsOf(t), 'perm')?.join() !== '1,0,2' || !gather || !isCompaction(this.g, gather, m)) {
      this.fail(node, "takes sequence_lens without exportOnnx's mask plumbing (each row's real steps moved to the front by TopK + GatherElements, sequence_lens = the padding mask's count of real steps, the outputs spread back over the steps): ONNX's sequence_lens only cuts steps at the end of each row and leaves zeros in Y past it (PyTorch's pack_padded_sequence), while rnnlab's mask skips padded steps anywhere and carries the last output forward, so the imported model would compute other numbers for padding before or inside a row; not imported (export the model without packed sequences)");
    }
    if (!this.carriesMask(m)) this.fail(node, `its sequence_lens counts the steps of mask '${m}', which is not the padding mask rnnlab carries here (${reaches})`);
    return m;
  }

  /** Is tensor m the padding mask rnnlab carries to the next layer (the Masking's own, or the Embedding's ids != 0)? */
  private carriesMask(m: string): boolean {
    const spec = this.maskSpec();
    if (!spec) return false;
    return spec.className === 'Masking' ? this.maskingTensor.get(spec) === m : isIdsMask(this.g, m);
  }

  /**
   * Where the padding mask that reaches the next layer in rnnlab comes from (a Masking, an Embedding with maskZero),
   * through the layers that carry it (Dense, activations, sequence-returning recurrent layers); null when none does.
   */
  private maskReaching(): string | null {
    const spec = this.maskSpec();
    return !spec ? null : spec.className === 'Masking' ? 'from a Masking layer' : "from the Embedding's maskZero, token id 0";
  }

  /** The layer whose padding mask reaches the next layer in rnnlab (a Masking, an Embedding with maskZero), or null. */
  private maskSpec(): Spec | null {
    for (let i = this.specs.length - 1; i >= 0; i--) {
      const spec = this.specs[i], { className, args } = spec;
      if (className === 'Masking') return spec;
      if (className === 'Embedding') return args.maskZero === true ? spec : null;
      if (MASK_DROPPING.has(className)) return null;
      const inner = (className === 'Bidirectional' ? args.inner : args) as { returnSequences?: boolean };
      if (RECURRENT_CLASSES.has(className) && !inner.returnSequences) return null;
    }
    return null;
  }

  /** Consumes one node of the plumbing after a recurrent node; false when the node is the next layer. */
  private recurrentPlumbing(node: Node, next: Node | undefined): boolean {
    const r = this.rnn!, op = node.opType, a = attrsOf(node);
    const scalarIndex = () => { const c = this.g.consts.get(node.input?.[1] ?? ''); return c && c.dims.length === 0 ? c.values[0] : null; };
    const fromRnn = (i: number) => dependsOn(this.g, node.input?.[i] ?? '', r.node);
    const axis = attrInt(a, 'axis', 0);
    if (op === 'Squeeze' && r.stage === 'Y_h' && r.rec.directions === 1 && this.axesOf(node).join() === '0') r.stage = 'done';
    else if (op === 'Squeeze' && r.stage === 'Y' && r.rec.directions === 1 && this.axesOf(node).join() === '1') r.stage = 'timeMajor';
    // PyTorch's h_n[k]: a one-direction node's only state, or one direction of a bidirectional node (negative k
    // counts from the backward one). Alone, it is that direction's layer; with the other merged, a Bidirectional.
    else if (op === 'Gather' && r.stage === 'Y_h' && axis === 0 && scalarIndex() !== null && directionIndex(scalarIndex()!, r.rec.directions) !== null) {
      r.stage = 'done';
      if (r.rec.directions === 2) r.only = directionIndex(scalarIndex()!, 2)!;
    }
    // PyTorch's bidirectional sequence: Y [steps, 2, batch, units] -> [steps, batch, 2, units] -> [steps, batch, 2·units],
    // the forward output then the backward one along the features: Keras's concat merge.
    else if (op === 'Transpose' && r.stage === 'Y' && r.rec.directions === 2 && attrInts(a, 'perm')?.join() === '0,2,1,3') r.stage = 'dirsLast';
    else if (op === 'Reshape' && r.stage === 'dirsLast') {
      const shape = this.constInts(node, 1, 'the target shape'), units = r.rec.args.units;
      if (shape.length !== 3 || shape[0] !== 0 || ![0, -1].includes(shape[1]) || ![-1, 2 * units].includes(shape[2]) || shape[1] === -1 && shape[2] === -1) {
        this.fail(node, `only a Reshape to [0, 0, -1] (or [0, 0, ${2 * units}]) joins the two directions of '${r.node.name ?? ''}', got [${shape}]`);
      }
      r.stage = 'timeMajor';
      r.merged = true;
    }
    else if (op === 'Transpose' && r.stage === 'Y' && attrInts(a, 'perm')?.join() === '2,0,1,3') r.stage = 'batch4';
    // PyTorch's h_n.permute(1, 0, 2).reshape(batch, -1): every direction's final state side by side, the concat merge.
    else if (op === 'Transpose' && r.stage === 'Y_h' && attrInts(a, 'perm')?.join() === '1,0,2') r.stage = 'statesBatch';
    else if (op === 'Reshape' && r.stage === 'statesBatch') {
      const units = r.rec.args.units * r.rec.directions;
      if (!this.flattensRows(node, units)) this.fail(node, `only a Reshape to [batch, -1] (or [batch, ${units}]) joins the final states of '${r.node.name ?? ''}'`);
      r.stage = 'done';
      r.merged = true;
    }
    else if (op === 'Transpose' && r.stage === 'timeMajor' && attrInts(a, 'perm')?.join() === '1,0,2') r.stage = 'done';
    else if (op === 'Gather' && r.stage === 'batch4' && axis === 2 && scalarIndex() === 0) r.stage = 'done';
    else if (op === 'Gather' && r.returnSequences && (r.stage === 'done' && axis === 1 || r.stage === 'timeMajor' && axis === 0)) {
      const T = this.steps, k = scalarIndex();
      if (k !== -1 && (T === null || k !== T - 1)) {
        const got = k === null ? "the index is not a constant (it is computed in the graph, as PyTorch writes out[:, x.size(1) - 1]); use out[:, -1]"
          : `index ${k} ${T === null ? 'of a sequence whose length is not known here' : `of ${T} steps`}`;
        this.fail(node, `only the last time step (index -1${T === null ? '' : ` or ${T - 1}`}) can be taken from a recurrent output; ${got}`);
      }
      if (r.rec.reverse || r.rec.directions === 2) this.fail(node, 'taking the last step of a reverse or bidirectional output has no Keras equivalent');
      r.returnSequences = false;
      r.stage = 'done';
    } else if (op === 'Slice' && r.returnSequences && (r.stage === 'done' || r.stage === 'timeMajor') && next?.opType === 'Squeeze' && next.input?.[0] === node.output?.[0]) {
      // PyTorch's out[:, -1] at opsets 9 and 10: Slice of the last step, then Squeeze of its axis (the Gather -1 above).
      this.lastStepSlice(node, next, r.stage === 'done' ? 1 : 0);
      if (r.rec.reverse || r.rec.directions === 2) this.fail(node, 'taking the last step of a reverse or bidirectional output has no Keras equivalent');
      r.returnSequences = false;
      r.stage = 'done';
      this.skip = 1; // the Squeeze, read with it
    } else if (op === 'Slice' && r.stage === 'done' && r.returnSequences && r.rec.reverse && r.rec.directions === 1 && !r.processingOrder) {
      // Only the whole time axis reversed puts a reverse layer's outputs in processing order (Keras's goBackwards).
      if (!this.reversesTime(node)) {
        const noSteps = this.g.opset < 10 ? `; at opset ${this.g.opset}, as this graph declares, Slice has no steps (they come with opset 10), so it cannot reverse` : '';
        this.fail(node, `only a Slice reversing the whole time axis (starts -1, ends before the first step, axes 1, steps -1) is imported after a reverse recurrent layer${noSteps}`);
      }
      r.processingOrder = true;
    }
    // The exporter's mask plumbing: Pad then GatherElements spread a masked sequence over the steps; a Mul by the
    // mask-derived "row has a real step" zeroes empty rows. Anything else (a ZeroPadding1D's Pad, a Mul by a
    // constant or by another tensor of the input) is a layer of its own, not plumbing. The direction on the data path
    // is the forward one of a bidirectional node (its Gather 0), else the node's own.
    else if (r.mask && op === 'Pad' && r.stage === 'done' && r.returnSequences && !r.padded && !r.restored && next?.opType === 'GatherElements'
      && next.input?.[0] === node.output?.[0] && !node.input?.[2] && attrString(a, 'mode', 'constant') === 'constant'
      && this.constInts(node, 1, 'pads').join() === RESTORE_PADS[this.pathReverse(r) ? 'reverse' : 'forward']) {
      r.padded = true;
      r.padInput = node.input?.[0];
    } else if (r.mask && op === 'GatherElements' && r.padded) {
      if (!isRestore(this.g, node, r.padInput ?? '', r.mask, this.pathReverse(r))) this.fail(node, `does not spread the sequence of masked recurrent node '${r.node.name ?? ''}' back over the steps as exportOnnx does (each step the output after the real steps ${this.pathReverse(r) ? 'at or after' : 'at or before'} it)`);
      r.padded = false;
      r.restored = true;
    } else if (r.mask && op === 'Mul' && r.stage === 'done' && !r.fromY && !r.emptyZeroed && isHasAny(this.g, node.input?.[1], r.mask)) r.emptyZeroed = true;
    else if (r.rec.directions === 2 && r.stage === 'done' && !r.merged && fromRnn(0) && fromRnn(1) && ['Concat', 'Add', 'Mul'].includes(op ?? '')) {
      const dirs = [0, 1].map((i) => directionOf(this.g, node.input?.[i] ?? '', r.node));
      const foreign = dirs.indexOf(null);
      // A merge input that is not a direction of this node (a stacked h_n's h_n[-1] beside h_n[0] reads the last layer) has no Keras equivalent.
      if (node.input?.length === 2 && foreign >= 0) this.fail(node, `input ${foreign} ('${node.input[foreign]}') is not a direction of recurrent node '${r.node.name ?? ''}' (a Gather of its own Y_h or Y); only both directions of one node merge into a Bidirectional (of a stacked PyTorch RNN, cat(h_n[-2], h_n[-1]) is the last layer's)`);
      if (node.input?.length !== 2 || dirs.join() !== '0,1') this.fail(node, `a direction merge must take the forward then the backward output (here directions [${dirs.map((d) => d ?? '?').join(', ')}])`);
      if (r.mask) {
        const odd = [0, 1].find((d) => !isMaskedDirection(this.g, node.input![d], r.node, d, r.mask!, r.fromY));
        if (odd !== undefined) this.fail(node, `input ${odd} is not direction ${odd} of masked recurrent node '${r.node.name ?? ''}' as exportOnnx writes it (${r.fromY ? 'its sequence spread back over the steps by Pad + GatherElements' : 'its final state times "row has a real step"'}); rnnlab's mask would give other numbers`);
      }
      r.merged = true;
      r.mergeMode = op === 'Concat' ? 'concat' : op === 'Mul' ? 'mul' : 'sum';
      // A negative axis counts from the rank (PyTorch's torch.cat(..., dim=-1)): (batch, steps, units) or (batch, units).
      const rank = r.returnSequences ? 3 : 2, axis = attrInt(a, 'axis', 0);
      if (op === 'Concat' && (axis < 0 ? axis + rank : axis) !== rank - 1) this.fail(node, `a direction merge must concatenate the features (axis ${rank - 1} or -1 of rank ${rank}), got axis ${axis}`);
      if (op === 'Add' && next?.opType === 'Mul' && (next.input ?? []).some((n) => this.g.consts.get(n)?.values[0] === 0.5)) r.mergeMode = 'ave';
    } else if (op === 'Mul' && r.mergeMode === 'ave' && !r.averaged && r.stage === 'done' && (node.input ?? []).some((n) => this.g.consts.get(n)?.values[0] === 0.5)) r.averaged = true;
    else return false;
    return true;
  }

  /** Does this Reshape make (batch, width) rows (a final state's width is known here, so [-1, width] is one too)? */
  private flattensRows(node: Node, width: number): boolean {
    const rows = rowsShape(this.g, node);
    return rows !== null && (rows.width ?? width) === width;
  }

  /**
   * A Slice's starts, ends, axes and steps (null where not given): attributes before opset 10 (which has no steps),
   * constant inputs from it.
   */
  private sliceBounds(node: Node): { starts: number[] | null; ends: number[] | null; axes: number[] | null; steps: number[] | null } {
    if (this.g.opset < 10) {
      const a = attrsOf(node);
      return { starts: attrInts(a, 'starts'), ends: attrInts(a, 'ends'), axes: attrInts(a, 'axes'), steps: null };
    }
    const ints = (i: number) => (node.input?.[i] ? this.constInts(node, i, `Slice input ${i}`) : null);
    const [starts, ends, axes, steps] = [1, 2, 3, 4].map(ints);
    return { starts, ends, axes, steps };
  }

  /**
   * A Slice of a recurrent sequence whose output the next node squeezes: one step along the time axis (1, or 0 when
   * time-major; negative axes count from rank 3, and absent axes are ONNX's default 0, 1, ...), steps 1, squeezed on
   * that axis, and that step the last (starts -1, or T - 1 where T is known, to the end); else refused saying which.
   */
  private lastStepSlice(node: Node, squeeze: Node, time: number): void {
    const { starts, ends, axes, steps } = this.sliceBounds(node), T = this.steps;
    const ofRank3 = (a: number) => (a < 0 ? a + 3 : a);
    const sliced = (axes ?? (starts ?? []).map((_, i) => i)).map(ofRank3);
    const timeAxis = time === 1 ? 'axis 1 (or -2), the steps of (batch, steps, units)' : 'axis 0 (or -3), the steps of time-major (steps, batch, units)';
    if (sliced.length !== 1 || sliced[0] !== time) {
      const form = axes === null ? `gives no axes (ONNX's default, axes [${sliced}] here)` : `slices axes [${axes}]`;
      this.fail(node, `a Slice and Squeeze of a recurrent output are read as its last step only along ${timeAxis}; this one ${form}`);
    }
    if (steps !== null && steps.join() !== '1') this.fail(node, `a Slice and Squeeze of a recurrent output are read as its last step only with steps 1 (or none); this one has steps [${steps}]`);
    const squeezed = this.axesOf(squeeze);
    if (squeezed.length !== 1 || ofRank3(squeezed[0]) !== time) this.fail(squeeze, `squeezes axes [${squeezed}] after the Slice of a recurrent output's ${timeAxis}; only that sliced axis is read (the last step)`);
    const [from, to] = [starts?.[0] ?? 0, ends?.[0] ?? 0];
    const pastEnd = to >= 2 ** 31 - 1 || (T !== null && to >= T);
    if (!(pastEnd && (from === -1 || (T !== null && from === T - 1)))) {
      this.fail(node, `only the last time step (starts -1${T === null ? '' : ` or ${T - 1}`}, ends past the last step) can be taken from a recurrent output by a Slice and Squeeze; this one takes steps ${from} to ${to}${T === null ? ' of a sequence whose length is not known here' : ` of ${T}`}`);
    }
  }

  /** starts -1, ends at or before -2^31 (past the first step), axes [1], steps [-1]: the time axis read backwards. */
  private reversesTime(node: Node): boolean {
    const { starts, ends, axes, steps } = this.sliceBounds(node);
    return starts?.length === 1 && (starts[0] === -1 || starts[0] >= 2 ** 31 - 1) && ends?.length === 1 && ends[0] <= -(2 ** 31)
      && axes?.length === 1 && (axes[0] === 1 || axes[0] === -2) && steps?.join() === '-1';
  }

  private finishRecurrent(at: Node): void {
    const r = this.rnn!;
    this.rnn = null;
    // A time-major sequence straight into the next recurrent node (PyTorch's num_layers > 1): no transposes between.
    const feedsRecurrent = r.stage === 'timeMajor' && r.returnSequences && RECURRENT_OPS.has(at.opType ?? '') && at !== r.node;
    if (r.stage !== 'done' && !feedsRecurrent) this.fail(at, `the output of recurrent node '${r.node.name ?? ''}' is used in a layout rnnlab cannot express`);
    if (r.rec.directions === 2 && !r.merged && r.only !== undefined) return this.oneDirection(r, at);
    if (r.rec.directions === 2 && !r.merged) this.fail(at, `the two directions of bidirectional node '${r.node.name ?? ''}' are not merged (Concat, Add, Mul or their average), as a Keras Bidirectional layer's are`);
    // Without the exporter's restore, Y is the compacted sequence with zeros past each row's length; without its
    // Mul by "row has a real step", a row of padding only keeps ONNX's one-step state; rnnlab gives neither.
    if (r.mask && r.fromY && !r.restored) this.fail(at, `the sequence of masked recurrent node '${r.node.name ?? ''}' is used without exportOnnx's restore (Pad + GatherElements spreading each row's outputs back over its steps); ONNX's Y holds the compacted steps with zeros past each row's sequence_lens, where rnnlab carries the last real output`);
    if (r.mask && !r.fromY && !r.emptyZeroed) this.fail(at, `the final state of masked recurrent node '${r.node.name ?? ''}' is used without exportOnnx's Mul by "row has a real step"; for a row of padding only ONNX keeps the state after one step, where rnnlab gives zeros`);
    const single = r.rec.directions === 1;
    if (single && r.rec.reverse && r.returnSequences && !r.processingOrder) this.fail(r.node, "a reverse layer's time-aligned sequence output has no Keras equivalent (Keras returns it in processing order)");
    const args = { ...r.rec.args, returnSequences: r.returnSequences, goBackwards: single && r.rec.reverse };
    this.rank = r.returnSequences ? 3 : 2;
    this.layout = feedsRecurrent ? 'timeMajor' : 'keras';
    if (single) this.push({ className: r.rec.cell, args, weights: r.rec.weights[0] }, false, r.node);
    else this.push({ className: 'Bidirectional', args: { cell: r.rec.cell, inner: args, mergeMode: r.mergeMode }, weights: r.rec.weights.flat() }, false, r.node);
  }

  /** One direction's final state of a bidirectional node: that direction as a layer of its own (backward: goBackwards). */
  private oneDirection(r: RecurrentState, at: Node): void {
    // rnnlab's mask would make the backward layer start at the last real step, as sequence_lens does; not imported
    // until a test shows the two agree.
    if (r.rec.masked) this.fail(at, `one direction of bidirectional node '${r.node.name ?? ''}' with sequence_lens is not imported (merge both directions)`);
    this.rank = 2;
    this.layout = 'keras';
    this.push({ className: r.rec.cell, args: { ...r.rec.args, returnSequences: false, goBackwards: r.only === 1 }, weights: r.rec.weights[r.only!] }, false, r.node);
  }

  /** Does the direction on the data path run backwards (a lone reverse node; a bidirectional node's path is its forward Gather 0)? */
  private pathReverse(r: RecurrentState): boolean {
    return r.rec.directions === 1 && r.rec.reverse;
  }

  /** ReduceMean / ReduceMax over the steps of (batch, steps, features): GlobalAveragePooling1D / GlobalMaxPooling1D. */
  private globalPooling(node: Node, a: ReturnType<typeof attrsOf>): void {
    this.requireLayout(node, 'keras', 'a (batch, steps, features) input');
    // Axes: an attribute before opset 18, an input from 18.
    const axes = node.input?.[1] ? this.constInts(node, 1, 'axes') : attrInts(a, 'axes');
    if (axes?.length !== 1 || (axes[0] !== 1 && axes[0] !== -2)) this.fail(node, `only a reduction over the time axis (axes [1]) is imported, got axes [${axes ?? 'all'}]`);
    const mean = node.opType === 'ReduceMean';
    const mask = this.maskReaching();
    // rnnlab's GlobalAveragePooling1D averages the real steps only; ONNX's ReduceMean every step.
    if (mean && mask) this.fail(node, `a padding mask (${mask}) reaches this ReduceMean; rnnlab's GlobalAveragePooling1D would average the real steps only, ONNX averages every step`);
    const keepdims = attrInt(a, 'keepdims', 1) === 1;
    if (!keepdims) this.rank = 2;
    this.steps = keepdims ? 1 : null;
    this.push({ className: mean ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D', args: keepdims ? { keepdims } : {}, weights: [] }, false);
  }

  private gemm(node: Node): void {
    const a = attrsOf(node);
    if (this.rank !== 2 || this.layout !== 'keras' || attrInt(a, 'transA', 0) !== 0) this.fail(node, 'only Gemm on (batch, features) without transA is imported');
    const W = this.constOf(node, 1, 'the Gemm weight');
    const alpha = attrFloat(a, 'alpha', 1), beta = attrFloat(a, 'beta', 1);
    const transB = attrInt(a, 'transB', 0) === 1;
    if (W.dims.length !== 2) this.fail(node, `the Gemm weight '${node.input?.[1] ?? ''}' has shape [${W.dims}]; a Dense kernel is 2-D`);
    const [rows, cols] = W.dims;
    const units = transB ? rows : cols, inDim = transB ? cols : rows;
    const kernel = new Float32Array(inDim * units);
    const w = W.values as Float32Array;
    for (let i = 0; i < inDim; i++) for (let u = 0; u < units; u++) kernel[i * units + u] = alpha * (transB ? w[u * inDim + i] : w[i * units + u]);
    const weights: Float32Array[] = [kernel];
    if (node.input?.[2]) weights.push(this.bias(node, this.constOf(node, 2, 'the Gemm bias'), units).map((v) => beta * v));
    this.push({ className: 'Dense', args: { units, useBias: weights.length === 2 }, weights }, true);
  }

  private activation(node: Node, a: ReturnType<typeof attrsOf>, wasOpen: boolean, name = ACTIVATION_OF_OP[node.opType ?? '']): void {
    const op = node.opType ?? '';
    // Attributes are float32: 0.2 is stored as fround(0.2). An absent one takes ONNX's default, which is Keras's here.
    for (const [name, want] of Object.entries(KERAS_ATTRS[op] ?? {})) {
      if (a.has(name) && Math.fround(attrFloat(a, name, want)) !== Math.fround(want)) {
        this.fail(node, `only ${op} with ${Object.entries(KERAS_ATTRS[op]).map(([k, v]) => `${k} ${v}`).join(', ')} (Keras's ${ACTIVATION_OF_OP[op]}) is imported; ${name} is ${attrFloat(a, name, want)}`);
      }
    }
    if (op === 'Softmax' || op === 'LogSoftmax') {
      // Before opset 13 (Log)Softmax flattens the axes from `axis` on (default 1) into one: the last axis only when axis is it.
      const axis = attrInt(a, 'axis', this.g.opset < 13 ? 1 : -1);
      if (![-1, this.rank - 1].includes(axis)) this.fail(node, `only ${op} over the last axis is imported (axis ${axis}, rank ${this.rank}, opset ${this.g.opset})`);
      // Before opset 13 PyTorch writes softmax(dim=1) of (batch, steps, features) as Transpose, Softmax, Transpose.
      if (this.layout === 'channelsFirst') this.fail(node, `this ${op} runs over the steps of (batch, steps, features) data (the last axis of its (batch, features, steps) transpose); only ${op} over the features (the last axis) is imported`);
    }
    const last = this.specs[this.specs.length - 1];
    if (wasOpen && last && (last.args.activation ?? 'linear') === 'linear') {
      last.args.activation = name;
      return;
    }
    this.push({ className: 'Activation', args: { activation: name }, weights: [] }, false);
  }

  /** A 1-D window's Keras form; dilatable (Conv) also reads dilations and the explicit pads Keras's causal and same give. */
  private window(node: Node, a: ReturnType<typeof attrsOf>, dilatable = false): { size: number; strides: number; padding: string; dilation: number } {
    const k = attrInts(a, 'kernel_shape') ?? (node.opType === 'Conv' ? this.constOf(node, 1, 'the Conv weight').dims.slice(2) : []);
    const strides = attrInts(a, 'strides') ?? [1];
    const pads = attrInts(a, 'pads') ?? [0, 0];
    const auto = attrString(a, 'auto_pad', 'NOTSET');
    const dilations = attrInts(a, 'dilations') ?? [1];
    const unmapped = [
      !dilatable && dilations.some((d) => d !== 1) && `dilations [${dilations}] (Keras's poolings have no dilation)`,
      attrInt(a, 'ceil_mode', 0) !== 0 && `ceil_mode ${attrInt(a, 'ceil_mode', 0)} (a last window reaching past the steps; Keras's end within them)`,
      attrInt(a, 'group', 1) !== 1 && `group ${attrInt(a, 'group', 1)} (a grouped convolution; rnnlab's Conv1D has no groups)`,
    ].filter(Boolean);
    if (unmapped.length > 0) this.fail(node, `attribute ${unmapped.join(' and ')} is not imported`);
    if (k.length !== 1 || strides.length !== 1 || dilations.length !== 1) this.fail(node, 'only 1-D windows are imported');
    const dilation = dilations[0];
    if (!(Number.isInteger(dilation) && dilation >= 1)) this.fail(node, `dilations [${dilations}] are not positive integers`);
    if (dilation > 1 && strides[0] !== 1) this.fail(node, `dilations ${dilation} with strides ${strides[0]} have no Keras equivalent (Keras dilates only with stride 1)`);
    // With stride 1 the pads Keras would use are fixed by the kernel's span: all on the left (causal), or split with
    // the odd step last (same).
    const span = (k[0] - 1) * dilation + 1;
    if (auto === 'SAME_UPPER') this.sameUpperRunsInOrt(node, dilation, strides[0], span);
    const explicit = auto === 'NOTSET' && strides[0] === 1 && pads.length === 2;
    // The window after exportOnnx's computed 'same' pads slides 'valid' over them (checked in import_wide_same.ts).
    if (this.sameWindow === node) {
      this.sameWindow = null;
      return { size: k[0], strides: strides[0], padding: 'same', dilation };
    }
    const padding = pads.every((p) => p === 0) && (auto === 'VALID' || auto === 'NOTSET') ? 'valid'
      : auto === 'SAME_UPPER' ? 'same'
        : explicit && pads[0] === Math.floor((span - 1) / 2) && pads[1] === Math.ceil((span - 1) / 2) ? 'same'
          // Causal pads are span - 1 on the left at any stride (Keras pads, then slides as 'valid').
          : dilatable && auto === 'NOTSET' && pads.length === 2 && pads[0] === span - 1 && pads[1] === 0 ? 'causal'
            : this.fail(node, `padding ${auto} [${pads}] has no Keras equivalent (VALID, SAME_UPPER, zero pads, Keras's causal pads and, at stride 1, its same pads are imported)`);
    return { size: k[0], strides: strides[0], padding, dilation };
  }

  /**
   * ONNX Runtime refuses SAME_UPPER with dilations, and a SAME_UPPER pool whose padding (⌈T/s⌉ - 1)·s + span - T is
   * negative (possible only when the stride passes the span); a Conv there can start its windows later than Keras,
   * which pads nothing. Refused, unless the steps are known here and the padding is not negative.
   */
  private sameUpperRunsInOrt(node: Node, dilation: number, stride: number, span: number): void {
    if (dilation > 1) this.fail(node, `auto_pad SAME_UPPER with dilations [${dilation}] is not imported: ONNX Runtime refuses it (dilation is not supported with SAME_UPPER); write explicit pads`);
    const T = this.steps;
    if (stride <= span || (T !== null && (Math.ceil(T / stride) - 1) * stride + span - T >= 0)) return;
    const steps = T === null ? 'for some lengths of the steps (unknown here)' : `for ${T} steps`;
    this.fail(node, `auto_pad SAME_UPPER with strides [${stride}] past the window (kernel_shape span ${span}) is not imported: its padding is negative ${steps}, where Keras's same padding is 0 and ONNX Runtime ${node.opType === 'Conv' ? 'does not clamp it (for some lengths its windows start one step later)' : 'refuses the node'}`);
  }

  private conv(node: Node, a: ReturnType<typeof attrsOf>): void {
    this.requireLayout(node, 'channelsFirst', 'a channels-first (batch, channels, steps) input');
    const { size, strides, padding, dilation } = this.window(node, a, true);
    const W = this.constOf(node, 1, 'the Conv weight');
    const [F, C, K] = W.dims;
    if (W.dims.length !== 3 || K !== size) this.fail(node, `weight of shape [${W.dims}] is not a 1-D kernel of size ${size}`);
    const w = W.values as Float32Array, kernel = new Float32Array(w.length); // ONNX [F, C, K] -> Keras [K, C, F]
    for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) kernel[(k * C + c) * F + f] = w[(f * C + c) * K + k];
    const weights: Float32Array[] = [kernel];
    if (node.input?.[2]) weights.push(this.constOf(node, 2, 'the Conv bias').values as Float32Array);
    this.steps = null; // strides and padding change the steps' count
    this.push({ className: 'Conv1D', args: { filters: F, kernelSize: size, strides, padding, dilationRate: dilation, useBias: weights.length === 2 }, weights }, true);
  }

  private pool(node: Node, a: ReturnType<typeof attrsOf>): void {
    this.requireLayout(node, 'channelsFirst', 'a channels-first (batch, channels, steps) input');
    const { size, strides, padding } = this.window(node, a);
    const average = node.opType === 'AveragePool';
    // Keras averages an edge window over its real steps only; count_include_pad 1 divides by the whole window.
    if (average && padding !== 'valid' && attrInt(a, 'count_include_pad', 0) !== 0) {
      this.fail(node, "count_include_pad 1 with padding counts the pads in each edge window's mean; Keras's AveragePooling1D averages the real steps only");
    }
    this.steps = null;
    this.push({ className: average ? 'AveragePooling1D' : 'MaxPooling1D', args: { poolSize: size, strides, padding }, weights: [] }, false);
  }

  /** width: the row width a Reshape asks for, checked against the built layer's (the reader does not track sizes). */
  private flatten(node: Node, width: number | null = null): void {
    if (this.layout !== 'keras') this.fail(node, `flattening ${LAYOUT_WORDS[this.layout]} data would order the features unlike Keras's Flatten of (batch, steps, features); only channels-last data is flattened`);
    this.rank = 2;
    this.steps = null;
    this.push({ className: 'Flatten', args: {}, weights: [], ...(width === null ? {} : { width }) }, false);
  }
}

/** k as a direction index of a node with that many directions (negative: from the last), or null if out of range. */
function directionIndex(k: number, directions: number): number | null {
  const d = k < 0 ? k + directions : k;
  return d >= 0 && d < directions ? d : null;
}

function broadcast(b: Float32Array, units: number): Float32Array {
  return b.length === units ? Float32Array.from(b) : new Float32Array(units).fill(b[0]);
}
