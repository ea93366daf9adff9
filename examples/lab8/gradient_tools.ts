// %% [markdown]
// A helper for the vanishing-gradient cells of Models 3 and 4: how strongly the loss reaches back to each hidden
// state. `model.hiddenStateGradients(x, y)` (rnnlab's own, like `model.trace`) returns d loss / d h_t for every
// step t of every recurrent layer.
// %%
import * as rl from 'rnnlab';

// ||d loss / d h_t|| of the model's first recurrent layer, for each step t, averaged over the examples of x
export function state_gradient_norms(m: rl.Sequential, x: rl.Tensor, y: rl.Tensor): number[] {
  const g = m.hiddenStateGradients(x, y).layers[0];
  const [B, T, U] = g.shape;
  const norms = new Array<number>(T).fill(0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let u = 0; u < U; u++) s += g.dh[(b * T + t) * U + u] ** 2;
      norms[t] += Math.sqrt(s) / B;
    }
  }
  return norms;
}

export function print_gradient_norms(name: string, norms: number[]): void {
  const T = norms.length, mid = Math.ceil(T / 2);
  const at = (t: number) => `t = ${t}: ${norms[t - 1].toExponential(2)}`;
  console.log(`${name}, ||d loss / d h_t|| at ${at(1)}, ${at(mid)}, ${at(T)} (first / last ${(norms[0] / norms[T - 1]).toExponential(2)})`);
}
