// Keras 3's SimpleRNN, LSTM and GRU cells in a plain float64 loop with given dropout masks: the specification the
// recurrent layers' training path must meet. A mask list holds one mask (shared by every gate) or one per gate
// (LSTM i, f, c, o; GRU z, r, h), as Keras's implementation 1 draws them; masks are fixed over the steps.

export type LoopKind = 'simpleRNN' | 'lstm' | 'gru';

/** Keep flags (b-major, [B, n]) and the scale 1 / (1 - rate) of the kept units. */
export interface Drop { masks: Uint8Array[]; scale: number }

export interface LoopArgs {
  kind: LoopKind;
  resetAfter: boolean;
  dims: { B: number; T: number; D: number; U: number };
  x: ArrayLike<number>;
  w: ArrayLike<number>;
  r: ArrayLike<number>;
  bias: ArrayLike<number>;
  /** Masks on h_{t-1} in each gate's recurrent product; null: none. */
  recurrent: Drop | null;
  /** Masks on the input of each gate's kernel product; null: none. */
  input: Drop | null;
}

export function gateCount(kind: LoopKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

/** The output sequence [B, T, U] of the cell loop. */
export function kerasDropoutLoop({ kind, resetAfter, dims: { B, T, D, U }, x, w, r, bias, recurrent, input }: LoopArgs): Float64Array {
  const G = gateCount(kind) * U;
  const act = Math.tanh, sig = (v: number) => 1 / (1 + Math.exp(-v));
  const keep = (d: Drop | null, gate: number, b: number, i: number, n: number) =>
    (d ? d.masks[d.masks.length === 1 ? 0 : gate][b * n + i] * d.scale : 1);
  const out = new Float64Array(B * T * U);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(U);
    const c = new Float64Array(U);
    for (let t = 0; t < T; t++) {
      // Column j belongs to gate floor(j / U): its input and h_{t-1} pass through that gate's masks.
      const xp = new Float64Array(G), rp = new Float64Array(G);
      for (let j = 0; j < G; j++) {
        const k = Math.floor(j / U);
        xp[j] = bias[j];
        for (let d = 0; d < D; d++) xp[j] += x[(b * T + t) * D + d] * keep(input, k, b, d, D) * w[d * G + j];
        for (let i = 0; i < U; i++) rp[j] += h[i] * keep(recurrent, k, b, i, U) * r[i * G + j];
      }
      const next = new Float64Array(U);
      if (kind === 'simpleRNN') {
        for (let u = 0; u < U; u++) next[u] = act(xp[u] + rp[u]);
      } else if (kind === 'lstm') {
        for (let u = 0; u < U; u++) {
          const i = sig(xp[u] + rp[u]), f = sig(xp[U + u] + rp[U + u]), g = act(xp[2 * U + u] + rp[2 * U + u]), o = sig(xp[3 * U + u] + rp[3 * U + u]);
          c[u] = f * c[u] + i * g;  // the cell state is never masked
          next[u] = o * act(c[u]);
        }
      } else {
        const rb = (j: number) => (resetAfter ? bias[G + j] : 0);
        const z = new Float64Array(U), rr = new Float64Array(U);
        for (let u = 0; u < U; u++) { z[u] = sig(xp[u] + rp[u] + rb(u)); rr[u] = sig(xp[U + u] + rp[U + u] + rb(U + u)); }
        for (let u = 0; u < U; u++) {
          let inner: number;
          if (resetAfter) inner = rr[u] * (rp[2 * U + u] + rb(2 * U + u));
          else { inner = 0; for (let i = 0; i < U; i++) inner += rr[i] * h[i] * keep(recurrent, 2, b, i, U) * r[i * G + 2 * U + u]; }
          const n = act(xp[2 * U + u] + inner);
          next[u] = z[u] * h[u] + (1 - z[u]) * n;  // the unmasked state
        }
      }
      h = next;
      out.set(h, (b * T + t) * U);
    }
  }
  return out;
}
