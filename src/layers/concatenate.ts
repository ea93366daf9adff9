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

  /**
   * Keras 3's rule: along time the masks are joined (an unmasked input's steps all real); along features a step is
   * real where any input's is (so an unmasked input makes every step real). tfjs 4.22 takes "every" there instead.
   * A rank-2 output has no steps left to mask.
   */
  protected override outputMask(inputs: Tensor[], masks: (Uint8Array | null)[], out: Tensor): Uint8Array | null {
    if (out.rank < 3) return null;
    const [B, T] = out.shape;
    const keep = new Uint8Array(B * T);
    if (this.axisFor(out.rank) === 1) {
      let offset = 0;
      inputs.forEach((x, k) => {
        const Tk = x.shape[1], m = masks[k];
        for (let b = 0; b < B; b++) for (let t = 0; t < Tk; t++) keep[b * T + offset + t] = m ? m[b * Tk + t] : 1;
        offset += Tk;
      });
      return keep;
    }
    if (masks.some((m) => m === null)) return keep.fill(1);
    for (let i = 0; i < keep.length; i++) keep[i] = masks.some((m) => m![i]) ? 1 : 0;
    return keep;
  }
}

registerLayer(Concatenate);
