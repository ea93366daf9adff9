// %% [markdown]
// #### EXERCISE: addition the way we do it by hand
// Feed the digits least-significant first, one digit of each number per time step (two one-hot digits, 20
// inputs), and read one digit of the sum per step: units at step 1, tens at step 2, and a last step for the
// final carry. The RNN only has to learn the carry, and since the same cell runs at every step (the time
// axis is left open, `batchInputShape: [null, null, 20]`; Keras writes input_shape=(None, 20)) it can add numbers longer than any it was trained on.
// %%
import * as rl from 'rnnlab';
import { epochs, percent, quick, SEED } from './lab.js';

const random = new rl.Random(SEED);

// n questions of `digits`-digit numbers: x [n, digits+1, 20], y [n, digits+1, 10], and the sums
function digitwise_data(n: number, digits: number): { x: rl.Tensor; y: rl.Tensor; a: number[]; b: number[] } {
  const steps = digits + 1;
  const x = new Float32Array(n * steps * 20), y = new Float32Array(n * steps * 10);
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < n; i++) {
    a.push(random.int(10 ** digits));
    b.push(random.int(10 ** digits));
    let carry = 0;
    for (let s = 0; s < steps; s++) {
      const da = Math.floor(a[i] / 10 ** s) % 10, db = Math.floor(b[i] / 10 ** s) % 10;
      x[(i * steps + s) * 20 + da] = 1;
      x[(i * steps + s) * 20 + 10 + db] = 1;
      const sum = da + db + carry;
      y[(i * steps + s) * 10 + (sum % 10)] = 1;
      carry = sum >= 10 ? 1 : 0;
    }
  }
  return { x: rl.tensor(x, [n, steps, 20]), y: rl.tensor(y, [n, steps, 10]), a, b };
}

// the model's digits, least-significant first, read back as a number
function read_sum(preds: rl.Tensor, i: number): number {
  const steps = preds.shape[1];
  let v = 0;
  for (let s = steps - 1; s >= 0; s--) v = v * 10 + preds.values[i * steps + s];
  return v;
}
// %%
rl.setSeed(SEED);
const by_hand = rl.sequential();
by_hand.add(rl.layers.simpleRNN({ units: 32, returnSequences: true, batchInputShape: [null, null, 20] }));
by_hand.add(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 10, activation: 'softmax' }) }));
by_hand.compile({ loss: 'categoricalCrossentropy', optimizer: rl.train.adam(0.01), metrics: ['accuracy'] });
by_hand.summary();
const train = digitwise_data(quick ? 2000 : 16000, 3);
// Bound to a name: a notebook cell ending in a bare expression would print the History object.
const history = await by_hand.fit(train.x, train.y, { batchSize: 32, epochs: epochs(15), verbose: quick ? 2 : 1 });
// %%
// whole sums right, on 3-digit numbers (as trained) and on 6-digit numbers it never saw
for (const digits of [3, 6]) {
  const test = digitwise_data(1000, digits);
  const preds = by_hand.predictClasses(test.x);
  let right = 0;
  for (let i = 0; i < test.a.length; i++) if (read_sum(preds, i) === test.a[i] + test.b[i]) right++;
  console.log(`${digits}-digit numbers: ${percent(right / test.a.length)} of sums exactly right, e.g. ${test.a[0]}+${test.b[0]} = ${read_sum(preds, 0)}`);
}
