/**
 * Where seq2seq and train may write, and what translate says of a damaged model: --out is never a saved model's
 * folder or a folder inside one (as evaluate's is not), --generate never replaces a pairs.tsv the earlier run in
 * --out did not generate, and a model folder missing or cutting short a file of the model is a usage error (exit
 * code 2) naming the file as given.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, isolatedCache, readResults, run, snapshotFiles, tempDir, TRAIN_FAST } from './helpers.js';

isolatedCache();

const S2S_TINY = ['--units', '4', '--embedding-dim', '2', '--epochs', '1', '--samples', '0', '--verbose', '0'];

let root: string, pairs: string, s2sRun: string, trainRun: string, csv: string;

beforeAll(async () => {
  root = tempDir('rnnlab-model-folders-');
  pairs = path.join(root, 'rev.tsv');
  writeFileSync(pairs, Array.from({ length: 40 }, (_, i) => { const s = 'abcde'.slice(i % 3, 3 + (i % 4)); return `${s}\t${[...s].reverse().join('')}\n`; }).join(''));
  s2sRun = path.join(root, 's2s');
  const s = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', s2sRun]);
  expect(s.code, s.err).toBe(0);
  csv = path.join(root, 'reviews.csv');
  writeFileSync(csv, 'text,label\n' + Array.from({ length: 16 }, (_, i) => (i % 2 ? `great fine film ${i},pos` : `awful dull film ${i},neg`)).join('\n') + '\n');
  trainRun = path.join(root, 'train');
  const t = await run(['train', '--data', csv, ...TRAIN_FAST, '--out', trainRun]);
  expect(t.code, t.err).toBe(0);
}, 180_000);

describe('--out in a saved model\'s folder', () => {
  it('seq2seq refuses the model folder of an earlier run, and a folder inside it; nothing changes and the run folder stays reusable', async () => {
    const before = snapshotFiles(s2sRun);
    const model = path.join(s2sRun, 'model');
    expectRefused(await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', model]), 'seq2seq',
      /--out: .*s2s\/model is the folder of a saved model \(it holds model\.json\): .*--model .*s2s\/model would still load that model, not this run's; nothing was changed\. Give --out a folder outside it$/);
    const inside = path.join(model, 'sub');
    expectRefused(await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', inside]), 'seq2seq',
      new RegExp(`--out: ${inside.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is inside ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, the folder of a saved model`), inside);
    expect(snapshotFiles(s2sRun)).toEqual(before);
    const again = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--seed', '3', '--out', s2sRun]);
    expect(again.code, again.err).toBe(0);
  });

  it('train refuses a classifier\'s model folder the same way', async () => {
    const before = snapshotFiles(trainRun);
    expectRefused(await run(['train', '--data', csv, ...TRAIN_FAST, '--out', path.join(trainRun, 'model')]), 'train',
      /--out: .*train\/model is the folder of a saved model \(it holds model\.json\)/);
    expectRefused(await run(['train', '--data', csv, ...TRAIN_FAST, '--out', path.join(trainRun, 'model', 'x', 'y')]), 'train',
      /--out: .*train\/model\/x\/y is inside .*train\/model, the folder of a saved model/);
    expect(snapshotFiles(trainRun)).toEqual(before);
  });

  it('a folder beside the model is fine', async () => {
    const beside = path.join(root, 'beside');
    const r = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', beside]);
    expect(r.code, r.err).toBe(0);
    expect(readResults(beside).command).toBe('seq2seq');
  });

  it('a model.json higher up that is not a run\'s model/ (a project\'s exported model) does not refuse the folders under it', async () => {
    const project = path.join(root, 'project');
    cpSync(path.join(s2sRun, 'model'), project, { recursive: true });
    const under = path.join(project, 'runs', 'first');
    const r = await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', under]);
    expect(r.code, r.err).toBe(0);
    expect(readResults(under).command).toBe('seq2seq');
  });
});

describe('seq2seq --generate into an earlier --data run\'s folder', () => {
  it('refuses the pairs.tsv that run trained on and kept (it did not generate it); nothing changes', async () => {
    const dir = path.join(root, 'own');
    mkdirSync(dir);
    const mine = path.join(dir, 'pairs.tsv');
    cpSync(pairs, mine);
    const first = await run(['seq2seq', '--data', mine, ...S2S_TINY, '--out', dir]);
    expect(first.code, first.err).toBe(0);
    const before = snapshotFiles(dir);
    expectRefused(await run(['seq2seq', '--generate', 'date', '--count', '40', ...S2S_TINY, '--out', dir]), 'seq2seq',
      /--out: .*own already holds 'pairs\.tsv', which the earlier run there did not generate \(its results\.json records no --generate\) and which this run would replace with its generated pairs; nothing was changed/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it('so is a pairs.tsv of the user\'s beside a run on other data', async () => {
    const dir = path.join(root, 'other-data');
    expect((await run(['seq2seq', '--data', pairs, ...S2S_TINY, '--out', dir])).code).toBe(0);
    writeFileSync(path.join(dir, 'pairs.tsv'), 'my\town\n');
    expectRefused(await run(['seq2seq', '--generate', 'addition', '--count', '40', ...S2S_TINY, '--out', dir]), 'seq2seq', /already holds 'pairs\.tsv', which the earlier run there did not generate/);
    expect(readFileSync(path.join(dir, 'pairs.tsv'), 'utf8')).toBe('my\town\n');
  });

  it('still replaces the pairs.tsv an earlier --generate run wrote', async () => {
    const dir = path.join(root, 'gen');
    expect((await run(['seq2seq', '--generate', 'addition', '--count', '40', ...S2S_TINY, '--out', dir])).code).toBe(0);
    const r = await run(['seq2seq', '--generate', 'date', '--count', '40', ...S2S_TINY, '--out', dir]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(path.join(dir, 'pairs.tsv'), 'utf8')).toMatch(/\t\d{4}-\d\d-\d\d\n/);
  });
});

describe('translate with a damaged model folder', () => {
  const damaged = (name: string, harm: (dir: string) => void): string => {
    const dir = path.join(root, name);
    cpSync(path.join(s2sRun, 'model'), dir, { recursive: true });
    harm(dir);
    // As a user types it: relative to the working folder, which the message keeps (the absolute path is not named).
    return path.relative(process.cwd(), dir);
  };

  it('a missing model.json exits 2 naming --model and the folder as given', async () => {
    const dir = damaged('no-model-json', (d) => rmSync(path.join(d, 'model.json')));
    const r = await run(['translate', '--model', dir, 'abc']);
    expectRefused(r, 'translate', new RegExp(`^rnnlab translate: error: --model: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no model\\.json \\(the model's layers\\) beside rnnlab-seq2seq\\.json`));
    expect(r.err.split(dir).join('')).not.toContain(path.resolve(dir));
  });

  it('a truncated or missing weights.bin exits 2 naming it', async () => {
    for (const [name, harm] of [['cut-weights', (d: string) => truncateSync(path.join(d, 'weights.bin'), 100)], ['no-weights', (d: string) => rmSync(path.join(d, 'weights.bin'))]] as const) {
      const dir = damaged(name, harm);
      const r = await run(['translate', '--model', dir, 'abc']);
      expectRefused(r, 'translate', /^rnnlab translate: error: --model: .*weights.*\.bin/);
      expect(r.err.split(dir).join('')).not.toContain(path.resolve(dir));
    }
  });
});
