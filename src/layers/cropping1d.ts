import type { LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import { TimeEdges1D } from './time_edges.js';

export interface Cropping1DArgs extends LayerArgs {
  /** Steps removed at the start and the end: n for both, or [left, right]. Default [1, 1]. */
  cropping?: number | [number, number];
}

/** Removes steps at the start and the end of each sequence (Keras's Cropping1D). */
export class Cropping1D extends TimeEdges1D {
  static override readonly className: string = 'Cropping1D';
  constructor(args: Cropping1DArgs = {}) { super(args, 'cropping1d', 'cropping', args.cropping ?? 1, -1); }
  get cropping(): [number, number] { return this.edges; }
}

registerLayer(Cropping1D);
