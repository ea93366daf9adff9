/**
 * The functional API's graph: a SymbolicTensor is a placeholder with a shape that layer.apply() returns when it
 * is given placeholders; each such call records a Node (Keras's inbound node) linking the layer to its inputs and
 * outputs. rl.model({inputs, outputs}) walks these nodes back from its outputs.
 */
import type { Layer, SymbolicShape } from '../layers/layer.js';

export type SymbolicDType = 'float32' | 'int32';

let tensorIds = 0;

export class SymbolicTensor {
  readonly id = tensorIds++;
  constructor(
    readonly dtype: SymbolicDType,
    readonly shape: SymbolicShape,
    /** The layer whose call produced this tensor (an InputLayer for rl.input()). */
    readonly sourceLayer: Layer,
    /** The call of sourceLayer that produced it, and which of that call's outputs it is. */
    readonly node: Node,
    readonly outputIndex: number,
  ) {}

  get name(): string { return `${this.sourceLayer.name}/${this.node.index}/${this.outputIndex}`; }
  get rank(): number { return this.shape.length; }
  toString(): string { return `SymbolicTensor ${this.name} ${JSON.stringify(this.shape)}`; }
}

/** Options a layer call records: extra tensors go into inputs (Keras does the same for initial states). */
export interface NodeArgs { [key: string]: unknown }

/** One call of a layer on symbolic tensors. */
export class Node {
  outputs: SymbolicTensor[] = [];
  /** Position of this node in layer.inboundNodes. */
  readonly index: number;
  /** inputs[0, inputCount) are the layer's inputs; the rest are extras (a recurrent layer's initial states). */
  constructor(readonly layer: Layer, readonly inputs: SymbolicTensor[], readonly inputCount: number, readonly args: NodeArgs) {
    this.index = layer.inboundNodes.length;
    layer.inboundNodes.push(this);
  }
}

export function isSymbolic(v: unknown): v is SymbolicTensor {
  return v instanceof SymbolicTensor;
}
