// %% [markdown]
// #### Let's learn two wrapper functions in Keras - TimeDistributed and RepeatVector with some dummy examples.
// **TimeDistributed** applies one layer to every time step: a Dense from 5 to 8 features turns
// batch * 3 steps * 5 into batch * 3 steps * 8, with the same weights at each step.
// %%
import * as rl from 'rnnlab';
import { SEED } from './lab.js';

rl.setSeed(SEED);
const rng = new rl.Random(SEED);
// numpy's np.random.randint(high, size=shape)
function randint(high: number, shape: number[]): rl.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return rl.tensor(Float32Array.from({ length: n }, () => rng.int(high)), shape);
}

// (Keras reuses the name model for both demos; two names keep this file one module.)
const td = rl.sequential();
// Inputs are batch_size * time_steps * input_vector_dim (to Dense);
// outputs are batch_size * time_steps * output_vector_dim: Dense turns each 5-dim vector into 8 dims.
td.add(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 8 }), inputShape: [3, 5] }));
const td_input = randint(10, [1, 3, 5]);
console.log('Shape of input : ', td_input.shape);
td.compile({ optimizer: 'rmsprop', loss: 'mse' });
const td_output = td.predict(td_input);
console.log('Shape of output : ', td_output.shape);
// %% [markdown]
// **RepeatVector** repeats its input a number of times: batch * features becomes batch * repeats * features.
// %%
const rv = rl.sequential();
// converts from 1*10 to 1*6
rv.add(rl.layers.dense({ units: 6, inputDim: 10 }));
console.log(rv.outputShape);
// converts from 1*6 to 1*3*6
rv.add(rl.layers.repeatVector({ n: 3 }));
console.log(rv.outputShape);
const rv_input = randint(1000, [1, 10]);
console.log('Shape of input : ', rv_input.shape);
rv.compile({ optimizer: 'rmsprop', loss: 'mse' });
const rv_output = rv.predict(rv_input);
console.log('Shape of output : ', rv_output.shape);
// note: `null` is the batch dimension
// the lab prints input_array[0] and output_array[0]: the one example, without the batch axis
console.log('Input : ', (rv_input.arraySync() as number[][])[0]);
console.log('Output : ', (rv_output.arraySync() as number[][][])[0]);
