/**
 * A model.json whose layer config does not fit the weights saved with it (edited after saving): a Dense's units or a
 * Conv1D's kernel size changed, so a layer further on cannot be planned. The error named that layer ("cannot take
 * input"), a symptom; it names the file, the weight that does not fit, and the shape the manifest gives against the
 * one the config needs, then the failure that follows from it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { ModelFormatError } from '../../src/io/errors.js';
import { expectClean } from '../bad-inputs/helpers.js';
import { removeDir, savedThenEdited, tempDir } from './helpers.js';

const root = tempDir('rnnlab-misfit-r53-');
afterAll(() => removeDir(root));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tampered = (model: rl.Sequential, edit: (j: Json) => void): Promise<string> => savedThenEdited(root, model, edit);
const layers = (j: Json) => j.modelTopology.config.layers;
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a config that does not fit its saved weights', () => {
  it("a Dense's units changed: the Dense's kernel, before the Reshape that then fails", async () => {
    const m = rl.sequential({ layers: [
      rl.layers.dense({ units: 6, inputShape: [4], name: 'mf_d' }),
      rl.layers.reshape({ targetShape: [3, 2], name: 'mf_rs' }),
      rl.layers.lstm({ units: 2, name: 'mf_l' }),
    ] });
    const file = await tampered(m, (j) => { layers(j)[0].config.units = 5; });
    const e = await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError, new RegExp(`^${escaped(file)}: weight 'mf_d/kernel' has shape \\[4, 6\\] in the weights manifest, but layer 'mf_d' \\(Dense\\) needs \\[4, 5\\] for its config \\(the config and the weights saved with it do not fit\\), so layer 1 \\('mf_rs', Reshape\\) fails on input \\(None, 5\\): mf_rs \\(Reshape\\): cannot reshape 5 values per sample`));
    expect(e.message).not.toMatch(/cannot take input/);
  });

  it("a Conv1D's kernel size changed: its own kernel, which its input then cannot take", async () => {
    const m = rl.sequential({ layers: [rl.layers.conv1d({ filters: 2, kernelSize: 3, inputShape: [5, 4], name: 'mf_c' }), rl.layers.lstm({ units: 2, name: 'mf_cl' })] });
    const file = await tampered(m, (j) => { layers(j)[0].config.kernel_size = [9]; });
    await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError,
      /model\.json: weight 'mf_c\/kernel' has shape \[3, 4, 2\] in the weights manifest, but layer 'mf_c' \(Conv1D\) needs \[9, 4, 2\] for its config .*, so layer 0 \('mf_c', Conv1D\) fails on input \(None, 5, 4\): mf_c \(Conv1D\): 5 steps are too few for kernelSize 9/);
  });

  it('an input the layers cannot take, whatever the weights, is still said so', async () => {
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputShape: [5, 4], name: 'mf_in' })] });
    const file = await tampered(m, (j) => { layers(j)[0].config.batch_input_shape = [null, 4]; });
    await expectClean(() => rl.loadLayersModel(`file://${file}`), ModelFormatError,
      /model\.json: layer 0 \('mf_in', LSTM\) cannot take input \(None, 4\): mf_in \(LSTM\): needs input \(batch, steps, features\), got \(None, 4\)/);
  });
});
