import { concat } from '../autograd/merge_ops.js';
import type { Tensor } from '../tensor.js';
import { MultiInputLayer } from './base_merge.js';
import { integerOption, kerasShape, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface ConcatenateArgs extends LayerArgs {
  /** Default -1 (the last axis). */
  axis?: number;
}

/** Joins its inputs along one axis; the other axes must agree. */
export class Concatenate extends MultiInputLayer {
  static override readonly className: string = 'Concatenate';
  override supportsMasking = true;
  static override readonly options = { axis: integerOption(-1) };
  declare readonly axis: number;

  constructor(args: ConcatenateArgs = {}) { super(args, 'concatenate'); }

  protected inputCountRange(): [number, number] { return [2, Infinity]; }

  private axisFor(rank: number): number {
    const a = this.axis < 0 ? rank + this.axis : this.axis;
    if (a < 1 || a >= rank) throw new Error(`${this.where}: axis ${this.axis} is out of range for inputs of rank ${rank} (the batch axis cannot be joined)`);
    return a;
  }

  protected mergedShapes(shapes: SymbolicShape[]): SymbolicShape[] {
    const rank = shapes[0].length;
    const a = this.axisFor(rank);
    const out = [...shapes[0]];
    for (const s of shapes.slice(1)) {
      if (s.length !== rank || s.some((d, i) => i !== a && d !== null && out[i] !== null && d !== out[i])) {
        throw new Error(`${this.where}: inputs must agree on every axis but ${this.axis}, got ${shapes.map(kerasShape).join(' and ')}`);
      }
      s.forEach((d, i) => { if (i !== a && out[i] === null) out[i] = d; });
      out[a] = out[a] === null || s[a] === null ? null : (out[a] as number) + (s[a] as number);
    }
    return [out];
  }

  protected merge(inputs: Tensor[]): Tensor[] { return [concat(inputs, this.axisFor(inputs[0].rank))]; }
}

registerLayer(Concatenate);
