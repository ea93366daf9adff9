/**
 * rnnlab train takes what a user gives as given: --layers / --recurrent-dropout for a model without recurrent layers
 * are refused even at their default values (as rnnlab imdb refuses them), and --classes orders the classes as
 * Keras's class_names does, through the saved model to predict and evaluate. Also: export's advice for a refused
 * --out is a file that export takes and that does not block retraining into the run folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTextModel } from '../../src/tasks/text_model.js';
import { expectRefused, isolatedCache, run, tempDir } from './helpers.js';

isolatedCache();

const FAST = ['--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6'];
let data: string;

beforeAll(() => {
  data = path.join(tempDir(), 'reviews');
  for (const [cls, words] of [['pos', 'great fine lovely'], ['neg', 'awful dull bad']] as const) {
    mkdirSync(path.join(data, cls), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(path.join(data, cls, `${i}.txt`), `${words} film ${i}`);
  }
});

describe('options a model has no layer for', () => {
  it.each([
    ['cnn', '--layers', '1', /^rnnlab train: error: --layers: cnn has no recurrent layers to stack, so it changes nothing here/],
    ['ff_embed', '--layers', '1', /--layers: ff_embed has no recurrent layers/],
    ['cnn', '--recurrent-dropout', '0', /^rnnlab train: error: --recurrent-dropout: cnn has no recurrent layer, so it changes nothing here/],
    ['ff_embed', '--recurrent-dropout', '0', /--recurrent-dropout: ff_embed has no recurrent layer/],
  ])('train --model %s %s %s is refused with exit code 2', async (model, flag, value, message) => {
    const out = path.join(tempDir(), 'out');
    expectRefused(await run(['train', '--data', data, '--model', model, flag, value, ...FAST, '--out', out]), 'train', message, out);
  });

  it('the library refuses them when given, and takes them when left out', () => {
    const base = { vocab: 20, maxlen: 6, numClasses: 2 };
    expect(() => buildTextModel('cnn', { ...base, layers: 1 })).toThrow(/layers: cnn has no recurrent layers/);
    expect(() => buildTextModel('ff_embed', { ...base, recurrentDropout: 0 })).toThrow(/recurrentDropout: ff_embed has no recurrent layer/);
    expect(buildTextModel('cnn', base).outputShape).toEqual([null, 1]);
    expect(buildTextModel('lstm', { ...base, layers: 1, recurrentDropout: 0 }).outputShape).toEqual([null, 1]);
  });
});

describe('--classes orders the classes (Keras class_names)', () => {
  it('pos,neg makes pos class 0 and neg class 1, saved so; predict and evaluate read that order', async () => {
    const out = path.join(tempDir(), 'ordered');
    const r = await run(['train', '--data', data, '--classes', 'pos,neg', '--model', 'gru', ...FAST, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Classes: pos, neg \(sigmoid head\)$/m);
    expect(JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-text.json'), 'utf8')).classes).toEqual(['pos', 'neg']);
    const p = await run(['predict', '--model', out, '--format', 'csv', 'great film']);
    expect(p.out.split('\n')[0]).toBe('text,label,probability,p_pos,p_neg');
    const e = await run(['evaluate', '--model', out, '--data', data, '--classes', 'neg,pos', '--out', path.join(tempDir(), 'ev')]);
    expect(e.code, e.err).toBe(0);
    // The confusion matrix lists the model's classes in its order, whatever order evaluate's --classes gives.
    expect(e.out).toMatch(/^ {12} {4}pos {4}neg$/m);
    expect(e.out).toMatch(/^ROC AUC \(neg\)/m);
  });

  it('without --classes, or with neg,pos, the classes are neg, pos', async () => {
    for (const extra of [[], ['--classes', 'neg,pos']]) {
      const r = await run(['train', '--data', data, ...extra, '--model', 'gru', ...FAST, '--out', path.join(tempDir(), 'sorted')]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^Classes: neg, pos \(sigmoid head\)$/m);
    }
  });
});

describe("export's advice for a refused --out", () => {
  it('names a file beside the run folder, which export writes and a later train --out of the run accepts', async () => {
    const cwd = process.cwd();
    const root = tempDir();
    process.chdir(root);
    try {
      const t = await run(['train', '--data', data, '--model', 'gru', ...FAST, '--out', 'r1']);
      expect(t.code, t.err).toBe(0);
      const refused = await run(['export', '--model', 'r1', '--out', path.join('r1', 'results.json')]);
      expect(refused.code).toBe(2);
      const advice = /e\.g\. (\S+)$/m.exec(refused.err)?.[1];
      expect(advice).toBe('r1.onnx');
      const ok = await run(['export', '--model', 'r1', '--out', advice!]);
      expect(ok.code, ok.err).toBe(0);
      const again = await run(['train', '--data', data, '--model', 'gru', ...FAST, '--out', 'r1']);
      expect(again.code, again.err).toBe(0);
      const fromModel = await run(['export', '--model', path.join('r1', 'model'), '--out', path.join('r1', 'model', 'model.json')]);
      expect(/e\.g\. (\S+)$/m.exec(fromModel.err)?.[1]).toBe('r1.onnx');
    } finally {
      process.chdir(cwd);
    }
  });
});
