/**
 * A Functional model.json whose layer config does not fit the weights saved with it (edited after saving): a Dense's
 * units or a Conv1D's kernel size changed, so a call further on cannot be replayed. The error named that call
 * ("layer 2 ('rs'), inbound node 0"), a symptom; as the Sequential reader does since round 53, it names the file, the
 * weight that does not fit and the shape the manifest gives against the one the config needs, then the failing call.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { ModelFormatError, ModelTooLargeError } from '../../src/io/errors.js';
import { expectClean } from '../bad-inputs/helpers.js';
import { removeDir, savedThenEdited, tempDir } from './helpers.js';

const root = tempDir('rnnlab-fmisfit-r54-');
afterAll(() => removeDir(root));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tampered = (model: rl.Functional, edit: (j: Json) => void): Promise<string> => savedThenEdited(root, model, edit);
/** The entry of the layer named `name` in a Functional config's layer list. */
const entry = (layers: Json[], name: string): Json => layers.find((l) => l.name === name)!;
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const call = (layer: { apply(x: rl.SymbolicTensor): unknown }, x: rl.SymbolicTensor) => layer.apply(x) as rl.SymbolicTensor;

describe('a Functional config that does not fit its saved weights', () => {
  it("a Dense's units changed: the Dense's kernel, before the Reshape call that then fails", async () => {
    const inp = rl.input({ shape: [4], name: 'fm_in' });
    const out = call(rl.layers.lstm({ units: 2, name: 'fm_l' }), call(rl.layers.reshape({ targetShape: [3, 2], name: 'fm_rs' }), call(rl.layers.dense({ units: 6, name: 'fm_d' }), inp)));
    const file = await tampered(rl.model({ inputs: inp, outputs: out }), (j) => { entry(j.modelTopology.config.layers, 'fm_d').config.units = 5; });
    const e = await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError, new RegExp(`^${escaped(file)}: weight 'fm_d/kernel' has shape \\[4, 6\\] in the weights manifest, but layer 'fm_d' \\(Dense\\) needs \\[4, 5\\] for its config \\(the config and the weights saved with it do not fit\\), so layer 2 \\('fm_rs'\\), inbound node 0 fails: fm_rs \\(Reshape\\): cannot reshape 5 values per sample`));
    expect(e.message).not.toMatch(/^[^:]*model\.json: layer 2/);
  });

  it("a Conv1D's kernel size changed: its own kernel, which its input then cannot take", async () => {
    const inp = rl.input({ shape: [5, 4], name: 'fm_cin' });
    const out = call(rl.layers.lstm({ units: 2, name: 'fm_cl' }), call(rl.layers.conv1d({ filters: 2, kernelSize: 3, name: 'fm_c' }), inp));
    const file = await tampered(rl.model({ inputs: inp, outputs: out }), (j) => { entry(j.modelTopology.config.layers, 'fm_c').config.kernel_size = [9]; });
    await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError,
      /model\.json: weight 'fm_c\/kernel' has shape \[3, 4, 2\] in the weights manifest, but layer 'fm_c' \(Conv1D\) needs \[9, 4, 2\] for its config .*, so layer 1 \('fm_c'\), inbound node 0 fails: fm_c \(Conv1D\): 5 steps are too few for kernelSize 9/);
  });

  it('a layer of a nested model: the weight is named, then the call inside the nested model', async () => {
    const iin = rl.input({ shape: [4], name: 'fm_iin' });
    const inner = rl.model({ inputs: iin, outputs: call(rl.layers.dense({ units: 6, name: 'fm_id' }), iin), name: 'fm_inner' });
    const inp = rl.input({ shape: [4], name: 'fm_oin' });
    const out = call(rl.layers.reshape({ targetShape: [3, 2], name: 'fm_ors' }), inner.apply(inp) as rl.SymbolicTensor);
    const file = await tampered(rl.model({ inputs: inp, outputs: out }), (j) => {
      entry(entry(j.modelTopology.config.layers, 'fm_inner').config.layers, 'fm_id').config.units = 5;
    });
    await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError,
      /model\.json: weight 'fm_id\/kernel' has shape \[4, 6\] in the weights manifest, but layer 'fm_id' \(Dense\) needs \[4, 5\] .*, so layer 2 \('fm_ors'\), inbound node 0 fails: fm_ors \(Reshape\): cannot reshape 5 values per sample/);
  });

  it('a call the layers cannot take, whatever the weights, is still said so; a config alone has no weights to name', async () => {
    const inp = rl.input({ shape: [6], name: 'fm_xin' });
    const m = rl.model({ inputs: inp, outputs: call(rl.layers.reshape({ targetShape: [3, 2], name: 'fm_xrs' }), call(rl.layers.dense({ units: 6, name: 'fm_xd' }), inp)) });
    const file = await tampered(m, (j) => { entry(j.modelTopology.config.layers, 'fm_xrs').config.target_shape = [4, 2]; });
    await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError,
      /model\.json: layer 2 \('fm_xrs'\), inbound node 0: fm_xrs \(Reshape\): cannot reshape 6 values per sample/);
    const j = JSON.parse(readFileSync(file, 'utf8')) as Json;
    entry(j.modelTopology.config.layers, 'fm_xrs').config.target_shape = [3, 2];
    entry(j.modelTopology.config.layers, 'fm_xd').config.units = 5;
    await expect(rl.models.modelFromJSON(j.modelTopology)).rejects.toThrow(/layer 2 \('fm_xrs'\), inbound node 0: fm_xrs \(Reshape\): cannot reshape 5 values per sample/);
  });

  it('a model over maxParams says so once, as the too-large error it is', async () => {
    const inp = rl.input({ shape: [40], name: 'fm_bin' });
    const file = await tampered(rl.model({ inputs: inp, outputs: call(rl.layers.dense({ units: 40, name: 'fm_bd' }), inp) }), () => {});
    const e = await expectClean(() => rl.loadLayersModel(`file://${file}`, { maxParams: 100 }), ModelTooLargeError,
      /layer 1 \('fm_bd'\), inbound node 0: the model declares more than 100 parameters/);
    expect(e.message.split('inbound node 0').length).toBe(2);
  });
});
