/** rnnlab-input.json is checked like model.json: a bad field is a ModelFormatError naming the file and the field. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_FILE, loadImdbModel, saveImdbModel } from '../../src/cli/model_store.js';
import { ModelFormatError } from '../../src/io/errors.js';
import * as rl from '../../src/index.js';
import { expectClean } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-input-spec-'));
const file = join(dir, INPUT_FILE);
let good: Record<string, unknown>;

beforeAll(async () => {
  rl.setSeed(3);
  const model = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 30, outputDim: 2, inputLength: 6 }), rl.layers.lstm({ units: 2 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  await saveImdbModel(dir, model, 'lstm', { vocab: 30, maxlen: 6 }, { testAccuracy: 0.5 });
  good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(text: string, message: RegExp): Promise<void> {
  writeFileSync(file, text);
  const e = await expectClean(() => loadImdbModel(dir), ModelFormatError, message);
  expect(e.message).toContain(INPUT_FILE);
}
const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

describe('rnnlab-input.json', () => {
  it('reads back what saveImdbModel wrote', async () => {
    writeFileSync(file, JSON.stringify(good));
    const { input } = await loadImdbModel(dir);
    expect(input).toMatchObject({ vocab: 30, maxlen: 6, model: 'lstm', metrics: { testAccuracy: 0.5 } });
  });

  it('refuses a vocabulary that is negative, not a number, or beyond the Embedding', async () => {
    await refused(withField({ vocab: -1 }), /field 'vocab' must be an integer from 4 to 30, got -1/);
    await refused(withField({ vocab: 'x' }), /field 'vocab' must be an integer from 4 to 30, got "x"/);
    await refused(withField({ vocab: 31 }), /field 'vocab' must be an integer from 4 to 30, got 31/);
    await refused(withField({ vocab: 2.5 }), /field 'vocab'/);
  });

  it('refuses a maxlen the model does not read (1e12 included)', async () => {
    await refused(withField({ maxlen: 1e12 }), /field 'maxlen' must be an integer from 6 to 6, got 1000000000000/);
    await refused(withField({ maxlen: 0 }), /field 'maxlen'/);
  });

  it('refuses __proto__, unknown fields, and changed fixed fields', async () => {
    await refused(`{"__proto__": {"vocab": 5}, ${JSON.stringify(good).slice(1)}`, /unknown field "__proto__"/);
    await refused(withField({ extra: 1 }), /unknown field "extra"/);
    await refused(withField({ indexFrom: 2 }), /field 'indexFrom' must be 3, got 2/);
    await refused(withField({ padding: 'post' }), /field 'padding' must be "pre", got "post"/);
    await refused(withField({ format: undefined }), /field 'format' must be "rnnlab-imdb-input", got nothing/);
    await refused(withField({ model: 'transformer' }), /field 'model' must be null or one of/);
    await refused(withField({ metrics: { testAccuracy: 'high' } }), /field 'metrics' must be an object of finite numbers/);
  });

  it('refuses text that is not a JSON object', async () => {
    await refused('[1, 2]', /must hold a JSON object/);
    await refused('{"vocab": ', /not valid JSON/);
    await refused('null', /must hold a JSON object/);
  });
});
