/**
 * train / evaluate / predict / translate / seq2seq flags that were accepted and then did nothing (or less than
 * asked, unsaid), or were refused late with the wrong exit code: each is now refused up front with exit code 2
 * naming the flag, writing nothing (or, for seq2seq --samples, said). Runs the CLI in-process on small files made here.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

const dir = tempDir('rnnlab-refused-');
afterAll(cleanup);

const POS = ['great film loved it', 'wonderful acting and story', 'a joy to watch', 'brilliant and moving'];
const NEG = ['terrible plot boring', 'awful acting waste', 'dull and too long', 'worst film ever'];

/** 40 rows, pos and neg alternating, each with a number so that no two texts are equal. */
function reviewsCsv(file: string): string {
  const rows = Array.from({ length: 40 }, (_, i) => (i % 2 ? `${POS[i % 4]} ${i},pos` : `${NEG[i % 4]} ${i},neg`));
  writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
  return file;
}

const data = reviewsCsv(path.join(dir, 'reviews.csv'));
const classifier = path.join(dir, 'classifier');
const pairsModel = path.join(dir, 'pairs');
const SMALL = ['--units', '4', '--embedding-dim', '4', '--epochs', '1'];

beforeAll(async () => {
  const t = await run(['train', '--data', data, ...SMALL, '--out', classifier]);
  expect(t.err).toBe('');
  expect(t.code).toBe(0);
  const pairs = path.join(dir, 'pairs.tsv');
  writeFileSync(pairs, Array.from({ length: 30 }, (_, i) => `ab${i % 7}\t${i % 7}ba\n`).join(''));
  const s = await run(['seq2seq', '--data', pairs, ...SMALL, '--verbose', '0', '--samples', '1', '--out', pairsModel]);
  expect(s.code).toBe(0);
}, 120_000);

describe('train --mask-zero', () => {
  for (const model of ['cnn', 'ff_embed', 'cnn_lstm']) {
    it(`is refused for ${model}, whose Conv1D or Flatten reads no mask`, async () => {
      const out = path.join(dir, `mask-${model}`);
      const r = await run(['train', '--data', data, '--model', model, '--mask-zero', ...SMALL, '--out', out]);
      expectRefused(r, 'train', new RegExp(`--mask-zero: changes nothing for ${model}: .*applies to simple_rnn, lstm, gru, bilstm`), out);
    });
  }

  it('is saved in the Embedding of a model that reads the mask', async () => {
    const out = path.join(dir, 'mask-gru');
    const r = await run(['train', '--data', data, '--model', 'gru', '--mask-zero', ...SMALL, '--out', out]);
    expect(r.code).toBe(0);
    const topology = JSON.parse(readFileSync(path.join(out, 'model', 'model.json'), 'utf8')).modelTopology;
    const embedding = topology.config.layers.find((l: { class_name: string }) => l.class_name === 'Embedding');
    expect(embedding.config.mask_zero).toBe(true);
  }, 60_000);
});

describe('--classes with a file --data', () => {
  it('train refuses it before reading, exit code 2', async () => {
    const out = path.join(dir, 'classes-train');
    expectRefused(await run(['train', '--data', data, '--classes', 'pos,neg', ...SMALL, '--out', out]), 'train', /--classes picks class subfolders .* is a file/, out);
  });

  it('evaluate refuses it too', async () => {
    const out = path.join(dir, 'classes-eval');
    expectRefused(await run(['evaluate', '--model', classifier, '--data', data, '--classes', 'pos,neg', '--out', out]), 'evaluate', /--classes picks class subfolders/, out);
  });
});

describe('evaluate --label-map', () => {
  it('refuses a map none of whose labels any row has, naming it and the labels there are', async () => {
    const out = path.join(dir, 'map-typo');
    const r = await run(['evaluate', '--model', classifier, '--data', data, '--label-map', 'ps=pos', '--out', out]);
    expectRefused(r, 'evaluate', /--label-map: 'ps=pos': no row of .*reviews\.csv has the label 'ps', nor any other label the map names \(its labels: neg, pos\)/, out);
  });

  it('refuses an entry that differs from a data label only in case or spaces', async () => {
    const out = path.join(dir, 'map-case');
    const r = await run(['evaluate', '--model', classifier, '--data', data, '--label-map', 'pos=pos,Neg=neg', '--out', out]);
    expectRefused(r, 'evaluate', /--label-map: 'Neg=neg': .*reviews\.csv has the label 'neg', not 'Neg'/, out);
  });

  it('accepts the usual map on a one-class slice: entries for labels this data lacks are fine', async () => {
    const only1 = path.join(dir, 'only1.csv');
    writeFileSync(only1, `text,label\n${POS.map((t, i) => `${t} ${i},1`).join('\n')}\n`);
    const r = await run(['evaluate', '--model', classifier, '--data', only1, '--label-map', '1=pos,0=neg', '--out', path.join(dir, 'map-slice')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Accuracy: [\d.]+%/);
    expect(r.out).toMatch(/Examples: 4\n/);
    expect(r.out).toMatch(/Labels mapped: 0 -> neg, 1 -> pos/);
  });

  it('a data label that no entry maps and no class matches is a data error naming its row (exit code 1)', async () => {
    const mixed = path.join(dir, 'mixed.csv');
    writeFileSync(mixed, `text,label\n${POS[0]},1\n${NEG[0]},0\n${NEG[1]},2\n`);
    const out = path.join(dir, 'map-unmapped');
    const r = await run(['evaluate', '--model', classifier, '--data', mixed, '--label-map', '1=pos,0=neg', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mixed\.csv:4: label '2' is not one of the model's classes \(neg, pos\); map labels with --label-map/);
    expect(existsSync(out)).toBe(false);
  });

  it('applies the entries it is given: swapping the classes turns accuracy a into 1 - a', async () => {
    const plain = await run(['evaluate', '--model', classifier, '--data', data, '--out', path.join(dir, 'map-plain')]);
    const swapped = await run(['evaluate', '--model', classifier, '--data', data, '--label-map', 'neg=pos,pos=neg', '--out', path.join(dir, 'map-swapped')]);
    expect(plain.code).toBe(0);
    expect(swapped.code).toBe(0);
    const accuracy = (s: string) => Number(/^Accuracy: ([\d.]+)%/.exec(s)![1]);
    expect(accuracy(swapped.out)).toBeCloseTo(100 - accuracy(plain.out), 2);
  });
});

describe('a seq2seq model where a classifier is wanted', () => {
  it('predict refuses it naming --model and rnnlab translate', async () => {
    expectRefused(await run(['predict', '--model', pairsModel, 'ab1']), 'predict', /--model: .*holds a seq2seq model .*rnnlab translate/);
  });

  it('evaluate reads --data as pairs for it, so labelled texts are refused naming --data and the missing column', async () => {
    const out = path.join(dir, 'eval-seq2seq');
    expectRefused(await run(['evaluate', '--model', pairsModel, '--data', data, '--out', out]), 'evaluate', /--data: .*reviews\.csv:1: no 'source' column/, out);
  });
});

describe('evaluate --model PATH/model.json', () => {
  it('names the model folder, as for predict and export', async () => {
    const viaFile = await run(['evaluate', '--model', path.join(classifier, 'model', 'model.json'), '--data', data, '--out', path.join(dir, 'eval-file')]);
    const viaRun = await run(['evaluate', '--model', classifier, '--data', data, '--out', path.join(dir, 'eval-run')]);
    expect(viaFile.code, viaFile.err).toBe(0);
    // The same report, but for the folder it was written to.
    const report = (out: string) => out.split('\n').filter((l) => !l.includes('eval-'));
    expect(viaFile.out).toMatch(/^Accuracy: /);
    expect(report(viaFile.out)).toEqual(report(viaRun.out));
  });
});

describe('evaluate --out', () => {
  it("refuses the model's own folder, which then holds model files only", async () => {
    const modelDir = path.join(classifier, 'model');
    const before = readdirSync(modelDir).sort();
    expectRefused(await run(['evaluate', '--model', classifier, '--data', data, '--out', modelDir]), 'evaluate', /--out: .* is the folder of the model being evaluated/);
    expect(readdirSync(modelDir).sort()).toEqual(before);
    expect(before).not.toContain('results.json');
  });

  it('refuses a folder inside the model folder too, writing nothing there', async () => {
    const modelDir = path.join(classifier, 'model');
    const before = readdirSync(modelDir).sort();
    const sub = path.join(modelDir, 'sub');
    expectRefused(await run(['evaluate', '--model', classifier, '--data', data, '--out', sub]), 'evaluate', /--out: .*sub is inside the folder of the model being evaluated/, sub);
    expect(readdirSync(modelDir).sort()).toEqual(before);
  });
});

describe('translate --show-attention', () => {
  it('is refused with --format tsv, whose lines hold one input each', async () => {
    expectRefused(await run(['translate', '--model', pairsModel, '--format', 'tsv', '--show-attention', 'ab1']), 'translate', /--show-attention .*--format tsv.*use --format jsonl/);
  });

  it('is a field of each --format jsonl record', async () => {
    const r = await run(['translate', '--model', pairsModel, '--format', 'jsonl', '--show-attention', 'ab1', 'ab2']);
    expect(r.code).toBe(0);
    const records = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records.map((x) => x.input)).toEqual(['ab1', 'ab2']);
    for (const x of records) expect(x.attention.source).toEqual(['a', 'b', x.input[2]]);
  });
});

describe('seq2seq --samples beyond the held-out pairs', () => {
  it('shows them all and says how many there were', async () => {
    const pairs = path.join(dir, 'pairs.tsv');
    const out = path.join(dir, 'samples');
    const r = await run(['seq2seq', '--data', pairs, ...SMALL, '--verbose', '0', '--samples', '50', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.match(/^Question /gm)).toHaveLength(3);
    expect(r.out).toContain('(--samples 50 asked; 3 pair(s) are held out, so 3 are shown)');
  }, 60_000);
});

describe('train --limit above the training examples', () => {
  it('is refused naming --limit and what there is, rather than training on fewer than asked', async () => {
    const out = path.join(dir, 'limit-over');
    const r = await run(['train', '--data', data, '--limit', '37', ...SMALL, '--out', out]);
    expectRefused(r, 'train', /--limit: 37 is more than the 36 training examples there are \(4 of 40 are held out by --validation-split\)/, out);
  });

  it('takes all of them when N is exactly what there is', async () => {
    const r = await run(['train', '--data', data, '--limit', '36', ...SMALL, '--out', path.join(dir, 'limit-all')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Examples: 36 train, 4 validation$/m);
  }, 60_000);
});

describe('--text-column / --label-column with a folder --data', () => {
  const folder = path.join(dir, 'folder');
  beforeAll(() => {
    for (const [cls, texts] of [['pos', POS], ['neg', NEG]] as const) {
      mkdirSync(path.join(folder, cls), { recursive: true });
      texts.forEach((t, i) => writeFileSync(path.join(folder, cls, `${i}.txt`), t));
    }
  });

  it.each([['train', '--text-column'], ['train', '--label-column'], ['evaluate', '--text-column'], ['evaluate', '--label-column']])('%s %s is refused: a folder has no columns', async (cmd, flag) => {
    const out = path.join(dir, `columns-${cmd}-${flag.slice(2)}`);
    const args = cmd === 'train' ? ['train', '--data', folder, ...SMALL] : ['evaluate', '--model', classifier, '--data', folder];
    const r = await run([...args, flag, 'body', '--out', out]);
    expectRefused(r, cmd, new RegExp(`${flag} names a column of a CSV, TSV or JSON Lines file, but .*folder is a folder`), out);
  });

  it('evaluate reads the same folder without them', async () => {
    const r = await run(['evaluate', '--model', classifier, '--data', folder, '--out', path.join(dir, 'columns-none')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Accuracy: /);
  });
});
