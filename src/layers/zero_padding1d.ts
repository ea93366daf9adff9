import type { LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import { TimeEdges1D } from './time_edges.js';

export interface ZeroPadding1DArgs extends LayerArgs {
  /** Zero steps added at the start and the end: n for both, or [left, right]. Default 1. */
  padding?: number | [number, number];
}

/** Adds zero steps before and after each sequence (Keras's ZeroPadding1D). */
export class ZeroPadding1D extends TimeEdges1D {
  static override readonly className: string = 'ZeroPadding1D';
  constructor(args: ZeroPadding1DArgs = {}) { super(args, 'zero_padding1d', 'padding', args.padding ?? 1, 1); }
  get padding(): [number, number] { return this.edges; }
}

registerLayer(ZeroPadding1D);
