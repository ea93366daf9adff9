/**
 * The trainable encoder-decoder (a functional model over graph.ts's layers, fed [source ids, decoder input ids]
 * and fitted to the next target ids: teacher forcing), and the runner that calls the same layers on real tensors.
 */
import { input } from '../layers/input_layer.js';
import type { CallContext, Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Functional } from '../models/functional.js';
import { Tensor } from '../tensor.js';
import { MaskedSeq2SeqModel } from './masked_model.js';
import { createLayers, decodeSteps, encode, findLayers, type LayerCall, type Seq2SeqArchitecture, type Seq2SeqLayers } from './graph.js';

export interface Seq2SeqNet { model: Functional; layers: Seq2SeqLayers }

const symbolicCall: LayerCall<SymbolicTensor> = (layer, inputs, states) => {
  const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs, states?.length ? { initialState: states } : undefined);
  return Array.isArray(out) ? out : [out];
};

/** The training model (padded target steps weigh zero: masked_model.ts): inputs 'source' [batch, source steps] and 'decoder_input' [batch, target steps], int ids. */
export function buildSeq2Seq(a: Seq2SeqArchitecture): Seq2SeqNet {
  const layers = createLayers(a);
  const source = input({ shape: [null], dtype: 'int32', name: 'source' });
  const target = input({ shape: [null], dtype: 'int32', name: 'decoder_input' });
  const enc = encode(layers, symbolicCall, source);
  const dec = decodeSteps(layers, symbolicCall, target, enc.states, enc.sequence);
  return { model: new MaskedSeq2SeqModel({ inputs: [source, target], outputs: dec.probs, name: 'seq2seq' }), layers };
}

/** The layers of a loaded training model. */
export function netOf(model: Functional, a: Seq2SeqArchitecture): Seq2SeqNet {
  return { model, layers: findLayers(a, (name) => model.getLayer(name)) };
}

/**
 * Calls layers on real tensors outside training, carrying each tensor's padding mask the way the functional
 * model does (the source embedding makes it; the encoder and the attention read it).
 */
export class TensorRunner {
  private readonly masks = new WeakMap<Tensor, Uint8Array | null>();

  readonly call: LayerCall<Tensor> = (layer: Layer, inputs: Tensor[], states: Tensor[] = []) => {
    const ctx: CallContext = { training: false, mask: this.maskOf(inputs[0]), inputMasks: inputs.map((t) => this.maskOf(t)) };
    const outs = layer.callTensors([...inputs, ...states], ctx, false, inputs.length);
    for (const o of outs) this.masks.set(o, ctx.mask);
    return outs;
  };

  maskOf(t: Tensor): Uint8Array | null { return this.masks.get(t) ?? null; }
  setMask(t: Tensor, mask: Uint8Array | null): void { this.masks.set(t, mask); }
}

/** [n, steps] int32 ids, each row padded with 0 after its ids (the encoder's mask skips the padding). */
export function idsTensor(rows: readonly (readonly number[])[], steps = Math.max(1, ...rows.map((r) => r.length))): Tensor {
  const data = new Int32Array(rows.length * steps);
  rows.forEach((r, i) => data.set(r.slice(0, steps), i * steps));
  return new Tensor(data, [rows.length, steps], 'int32');
}
