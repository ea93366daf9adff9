/**
 * What a run's saved model really reads, checked before any request feeds it. results.json's config says how the run
 * was trained, but it is data from whoever made the folder: a record that disagrees with the model would make every
 * prediction throw deep inside a layer. So an IMDb model's vocab and maxlen come from its rnnlab-input.json (checked
 * against the model, as `rnnlab predict` reads it), and otherwise the record's values are held to the model's input
 * shape: a disagreement is a 422 naming the run, the field and both values.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ADDITION_CHARS } from '../data/index.js';
import { INPUT_FILE, readInputSpec } from '../experiments/model_store.js';
import { Embedding } from '../layers/index.js';
import type { Sequential } from '../models/sequential.js';
import { HttpError } from './http.js';
import type { ModelMeta } from './model_io.js';

const digitsText = (n: number) => `${n} digit${n === 1 ? '' : 's'}`;
const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? 'null').join(', ')}]`;

/** `meta` as the model saved in `modelDir` of run `id` reads its input; a 422 when the two cannot agree. */
export function checkedModelMeta(id: string, meta: ModelMeta, model: Sequential, modelDir: string): ModelMeta {
  const refuse = (why: string) => new HttpError(422, `the model saved in run '${id}' cannot be used: ${why}`);
  const shape = model.inputShape as (number | null)[];
  if (meta.task === 'imdb') {
    const specFile = path.join(modelDir, INPUT_FILE);
    if (existsSync(specFile)) {
      let spec;
      try {
        spec = readInputSpec(specFile, model);
      } catch (e) {
        throw refuse((e as Error).message);
      }
      return { ...meta, vocab: spec.vocab, maxlen: spec.maxlen };
    }
    if (shape.length !== 2) throw refuse(`it reads input of shape ${shapeText(shape)}, not (batch, ids) as an IMDb model does`);
    if (shape[1] !== null && shape[1] !== meta.maxlen) {
      throw refuse(`results.json says maxlen ${meta.maxlen}, but the model reads ${shape[1]} ids per review (and the model has no ${INPUT_FILE})`);
    }
    const first = model.layers[0];
    if (first instanceof Embedding && meta.vocab > first.inputDim) {
      throw refuse(`results.json says vocab ${meta.vocab}, but the model's Embedding has rows for ids below ${first.inputDim} only (and the model has no ${INPUT_FILE})`);
    }
    return meta;
  }
  const steps = 2 * meta.digits + 1;
  const expected = [null, steps, ADDITION_CHARS.length];
  if (shape.length !== 3 || shape[2] !== ADDITION_CHARS.length) {
    throw refuse(`it reads input of shape ${shapeText(shape)}, not one-hot queries of shape ${shapeText(expected)}`);
  }
  if (shape[1] !== null && shape[1] !== steps) {
    throw refuse(`results.json says digits ${meta.digits} (queries of ${steps} characters), but the model reads queries of ${shape[1]} characters${shape[1] % 2 === 1 ? ` (${digitsText((shape[1] - 1) / 2)})` : ''}`);
  }
  return meta;
}
