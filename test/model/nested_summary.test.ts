// model.summary()'s 'Receives inputs' column for a nested model called twice, against @tensorflow/tfjs 4.22: a
// nested model's own graph is its call 0, so its calls in the outer graph are [1] and [2], as tfjs prints them and
// as the saved file numbers them.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function outer(lib: any, tag: string) {
  const ii = lib.input({ shape: [3], name: `ii_${tag}` });
  const inner = lib.model({ inputs: ii, outputs: lib.layers.dense({ units: 2, name: `d_${tag}` }).apply(ii), name: `inner_${tag}` });
  const a = lib.input({ shape: [3], name: `a_${tag}` });
  const b = lib.input({ shape: [3], name: `b_${tag}` });
  const sum = lib.layers.add({ name: `add_${tag}` }).apply([inner.apply(a), inner.apply(b)]);
  return lib.model({ inputs: [a, b], outputs: sum, name: `outer_${tag}` });
}

/** The connections the summary prints, with the library tag taken out of the names. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function connections(model: any, tag: string): string[] {
  const lines: string[] = [];
  model.summary(undefined, undefined, (l: string) => lines.push(l));
  return lines.flatMap((l) => l.match(/\b\w+\[\d+\]\[\d+\]/g) ?? []).map((s) => s.replace(`_${tag}`, ''));
}

it("numbers a nested model's calls from 1, as tfjs", () => {
  const ours = connections(outer(rl, 'rl'), 'rl');
  expect(ours).toEqual(connections(outer(tf, 'tf'), 'tf'));
  expect(ours).toContain('inner[1][0]');
  expect(ours).toContain('inner[2][0]');
});

it('the summary and the saved topology agree on the call numbers', () => {
  const m = outer(rl, 'rs');
  const topo = m.toJSON(undefined, false) as { config: { layers: { name: string; inbound_nodes: [string, number, number][][] }[] } };
  const add = topo.config.layers.find((l) => l.name === 'add_rs')!;
  expect(add.inbound_nodes[0].map((r) => `${r[0]}[${r[1]}][${r[2]}]`)).toEqual(['inner_rs[1][0]', 'inner_rs[2][0]']);
  expect(connections(m, 'rs')).toEqual(expect.arrayContaining(['inner[1][0]', 'inner[2][0]']));
});
