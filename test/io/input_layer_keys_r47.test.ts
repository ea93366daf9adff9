/**
 * An InputLayer's shape keys follow one rule whether they come from a file (snake_case, through the loader) or from
 * rl.layerClasses.InputLayer.fromConfig (camelCase): the same configs load to the same shape, and the same ones are
 * refused for the same reason, named in the file's own spelling.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelConfig = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [camel(k), v]));

function functional(inCfg: Record<string, unknown>): Record<string, unknown> {
  return { class_name: 'Functional', config: { name: 'm', layers: [
    { class_name: 'InputLayer', name: 'inp', config: { name: 'inp', ...inCfg }, inbound_nodes: [] },
    { class_name: 'Dense', name: 'd', config: { name: 'd', units: 2, activation: 'linear', use_bias: true }, inbound_nodes: [[['inp', 0, 0, {}]]] }],
  input_layers: [['inp', 0, 0]], output_layers: [['d', 0, 0]] } };
}

function sequential(inCfg: Record<string, unknown>): Record<string, unknown> {
  return { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'InputLayer', config: { name: 'inp', ...inCfg } },
    { class_name: 'Dense', config: { name: 'd', units: 2, activation: 'linear', use_bias: true } }] } };
}

type Outcome = { shape: unknown } | { error: string };

async function fromFile(topology: Record<string, unknown>): Promise<Outcome> {
  try {
    const m = await rl.models.modelFromJSON({ modelTopology: topology });
    return { shape: m.inputs[0].shape };
  } catch (e) { return { error: (e as Error).message }; }
}

function fromConfig(c: Record<string, unknown>): Outcome {
  try {
    return { shape: rl.layerClasses.InputLayer.fromConfig({ ...camelConfig(c), name: 'inp' }).batchInputShape };
  } catch (e) { return { error: (e as Error).message }; }
}

/** The reason alone: after the layer's name in the file's message, after '(InputLayer): ' in fromConfig's. */
const fileReason = (m: string) => m.slice(m.indexOf("(InputLayer 'inp'): ") + "(InputLayer 'inp'): ".length);
const configReason = (m: string) => m.slice(m.indexOf('(InputLayer): ') + '(InputLayer): '.length);

const cases: { what: string; config: Record<string, unknown>; shape?: unknown[]; refused?: RegExp }[] = [
  { what: 'batch_shape and batch_input_shape that disagree', config: { batch_shape: [null, 5], batch_input_shape: [null, 4] }, refused: /give batch_input_shape or Keras 3's batch_shape, not both/ },
  { what: 'batch_shape and batch_input_shape that agree', config: { batch_shape: [null, 4], batch_input_shape: [null, 4] }, refused: /give batch_input_shape or Keras 3's batch_shape, not both/ },
  { what: 'input_shape and batch_input_shape that disagree', config: { input_shape: [5], batch_input_shape: [null, 4] }, refused: /give input_shape or batch_input_shape, not both/ },
  { what: 'input_shape and batch_input_shape that agree', config: { input_shape: [4], batch_input_shape: [null, 4] }, refused: /give input_shape or batch_input_shape, not both/ },
  { what: 'input_shape and shape that disagree', config: { input_shape: [5], shape: [4] }, refused: /input_shape \[5\] and shape \[4\] disagree/ },
  { what: 'batch_shape and a disagreeing batch_size', config: { batch_shape: [2, 4], batch_size: 3 }, refused: /batch_size 3 disagrees with batch_shape \[2, 4\]/ },
  { what: 'input_shape with batch_size', config: { input_shape: [4], batch_size: 3 }, shape: [3, 4] },
  { what: 'shape with batch_size', config: { shape: [4], batch_size: 3 }, shape: [3, 4] },
  { what: 'shape alone', config: { shape: [4] }, shape: [null, 4] },
  { what: 'batch_shape with an agreeing batch_size', config: { batch_shape: [2, 4], batch_size: 2 }, shape: [2, 4] },
  { what: "Keras 2's batch_input_shape", config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false }, shape: [null, 4] },
  { what: "Keras 3's batch_shape", config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false }, shape: [null, 4] },
  { what: "tfjs's batchInputShape", config: { batchInputShape: [null, 4], dtype: 'float32', sparse: false }, shape: [null, 4] },
];

describe('InputLayer shape keys: a file and fromConfig take and refuse the same configs', () => {
  for (const c of cases) {
    it(`${c.what}: ${c.refused ? 'refused' : 'loaded'} the same by a file and by fromConfig`, async () => {
      const config = fromConfig(c.config);
      for (const topology of [functional(c.config), sequential(c.config)]) {
        const file = await fromFile(topology);
        if (c.shape) {
          expect(file).toEqual({ shape: c.shape });
          expect(config).toEqual({ shape: c.shape });
        } else {
          expect('error' in file && 'error' in config).toBe(true);
          const fileMsg = (file as { error: string }).error;
          const configMsg = (config as { error: string }).error;
          expect(fileMsg).toMatch(/InputLayer 'inp'/);
          expect(fileReason(fileMsg)).toMatch(c.refused!);
          // One reason: the file's message is fromConfig's, with the file's snake_case key names.
          expect(camel(fileReason(fileMsg))).toBe(camel(configReason(configMsg)));
        }
      }
    });
  }
});

it("a Keras 3 file's InputLayer with optional: false still loads", async () => {
  const config = { batch_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, optional: false };
  for (const topology of [functional(config), sequential(config)]) expect(await fromFile(topology)).toEqual({ shape: [null, 4] });
});
