/**
 * seq2seq, addition and the experiments refuse --out holding another command's run, as imdb and train do; a boolean
 * flag followed by a separate true/false is refused naming the --flag=VALUE form; stray words are named; RNNLAB_DEBUG
 * adds the stack to train's failures; and the small refusals name what is wrong (a link, one column for both flags).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { envForFile } from '../helpers/env.js';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { expectRefused, isolatedCache, readResults, run, tempDir, TRAIN_FAST } from './helpers.js';

isolatedCache();

const S2S_TINY = ['--generate', 'addition', '--count', '60', '--epochs', '1', '--units', '4', '--embedding-dim', '4', '--samples', '0', '--verbose', '0'];
const ADDITION_TINY = ['--digits', '1', '--training-size', '40', '--epochs', '1', '--hidden', '4', '--samples', '1', '--verbose', '0'];

/** Every file under dir with its bytes, to show nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = readFileSync(path.join(e.parentPath, e.name)).toString('base64');
  }
  return out;
}

let root: string, csv: string, trainRun: string, s2sRun: string;

beforeAll(async () => {
  root = tempDir();
  csv = writeCsv(root, 'topics.csv', topicTexts(12, 1, ['arts', 'sports']));
  trainRun = path.join(root, 'train-run');
  const t = await run(['train', '--data', csv, ...TRAIN_FAST, '--out', trainRun]);
  expect(t.code, t.err).toBe(0);
  s2sRun = path.join(root, 's2s-run');
  const s = await run(['seq2seq', ...S2S_TINY, '--out', s2sRun]);
  expect(s.code, s.err).toBe(0);
}, 120_000);

describe("--out holding another command's run", () => {
  it("seq2seq --out a train run's folder is refused before any work: the text classifier and its record stay", async () => {
    const before = snapshot(trainRun);
    expectRefused(await run(['seq2seq', ...S2S_TINY, '--out', trainRun]), 'seq2seq',
      /--out: .*train-run holds an earlier 'rnnlab train' run, whose results.json, reports and saved model \(model\/\) this seq2seq run would replace; nothing was changed/);
    expect(snapshot(trainRun)).toEqual(before);
    expect(existsSync(path.join(trainRun, 'model', 'rnnlab-text.json'))).toBe(true);
    expect(readResults(trainRun).command).toBe('train');
  });

  it("addition and an experiment refuse a seq2seq or train run's folder, naming the command that made it", async () => {
    const before = snapshot(s2sRun);
    expectRefused(await run(['addition', ...ADDITION_TINY, '--out', s2sRun]), 'addition', /--out: .*s2s-run holds an earlier 'rnnlab seq2seq' run.*this addition run would replace/);
    expect(snapshot(s2sRun)).toEqual(before);
    const trainBefore = snapshot(trainRun);
    expectRefused(await run(['experiment', 'shapes', '--out', trainRun]), 'experiment shapes', /holds an earlier 'rnnlab train' run.*this experiment shapes run would replace/);
    expect(snapshot(trainRun)).toEqual(trainBefore);
  });

  it('an earlier run of the same command is still reused, and one experiment does not take another\'s folder', async () => {
    const again = await run(['seq2seq', ...S2S_TINY, '--out', s2sRun]);
    expect(again.code, again.err).toBe(0);
    expect(readResults(s2sRun).command).toBe('seq2seq');
    const shapes = path.join(root, 'shapes');
    expect((await run(['experiment', 'shapes', '--out', shapes])).code).toBe(0);
    expect((await run(['experiment', 'shapes', '--out', shapes])).code).toBe(0);
    expectRefused(await run(['experiment', 'params', '--out', shapes]), 'experiment params', /holds an earlier 'rnnlab experiment shapes' run/);
  }, 60_000);
});

describe('a boolean flag takes its value after =', () => {
  it('tokenize --fit false "a b" is refused naming --fit=false and --no-fit, and where a text "false" goes', async () => {
    expectRefused(await run(['tokenize', '--fit', 'false', 'a b']), 'tokenize',
      /--fit takes its value after '=', got '--fit false'; write --fit=false, or --no-fit; a text 'false' goes before --fit or after --/);
    expectRefused(await run(['tokenize', '--no-fit', 'On', 'a b']), 'tokenize', /--no-fit takes no value, got '--no-fit On'; write --no-fit alone \(or --fit=false\)/);
    // The same word as a text, after -- or before the flag, is tokenized; --fit=false is the flag's value.
    const after = await run(['tokenize', '--fit', '--maxlen', '4', '--', 'false', 'a b']);
    expect(after.code, after.err).toBe(0);
    expect(after.out).toMatch(/fitted on 2 text\(s\)/);
    const off = await run(['tokenize', '--fit=false', '--maxlen', '4', 'a b']);
    expect(off.code, off.err).toBe(0);
    expect(off.out).not.toMatch(/fitted/);
    // A word that is no boolean after a boolean flag is a text, as before.
    const text = await run(['tokenize', '--fit', '--maxlen', '4', 'falsely', 'a b']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/fitted on 2 text\(s\)/);
  });

  it('imdb --mask-zero true and train --early-stopping false name the = form; train --early-stopping 1 stays a patience', async () => {
    expectRefused(await run(['imdb', '--model', 'lstm', '--mask-zero', 'true']), 'imdb', /--mask-zero takes its value after '=', got '--mask-zero true'; write --mask-zero=true, or --mask-zero$/);
    expectRefused(await run(['train', '--data', csv, '--early-stopping', 'false']), 'train', /write --early-stopping=false, or --no-early-stopping/);
    const patience = path.join(root, 'patience-1');
    const r = await run(['train', '--data', csv, ...TRAIN_FAST, '--early-stopping', '1', '--out', patience]);
    expect(r.code, r.err).toBe(0);
    expect(readResults(patience).config.earlyStopping).toBe(1);
  });

  it('a stray word is named in the usage error', async () => {
    expectRefused(await run(['addition', '--epochs', '1', 'stray']), 'addition', /too many arguments for 'addition': 'stray' \(it takes none; /);
    expectRefused(await run(['experiment', 'shapes', 'x', 'y']), 'experiment shapes', /too many arguments for 'shapes': 'x' 'y'/);
  });
});

describe('small refusals', () => {
  it('a link in the place of results.json is refused saying it is a link, even to a run record', async () => {
    const dir = path.join(root, 'linked-record');
    mkdirSync(dir);
    symlinkSync(path.join(trainRun, 'results.json'), path.join(dir, 'results.json'));
    expectRefused(await run(['addition', ...ADDITION_TINY, '--out', dir]), 'addition',
      /--out: .*linked-record already holds 'results.json', a link to .*train-run.results\.json, which this run would write through; nothing was changed/);
  });

  it('--text-column and --label-column naming one column is a usage error naming both (train and evaluate)', async () => {
    expectRefused(await run(['train', '--data', csv, '--text-column', 'text', '--label-column', 'text']), 'train',
      /--text-column and --label-column both name the column 'text'/);
    expectRefused(await run(['evaluate', '--model', trainRun, '--data', csv, '--text-column', 'text', '--label-column', 'text']), 'evaluate',
      /--text-column and --label-column both name the column 'text'/);
  });

  it('experiment digitwise --help gives --lr one default', async () => {
    const help = (await run(['experiment', 'digitwise', '--help'])).out;
    const lr = help.slice(help.indexOf('--lr'), help.indexOf('--optimizer'));
    expect(lr.match(/default/g)).toHaveLength(1);
    expect(lr).toMatch(/\(default: 0\.01\)/);
  });
});

describe('RNNLAB_DEBUG=1 on a train failure', () => {
  envForFile(() => ({ RNNLAB_DEBUG: '1' }));

  it('adds the stack after the message, as for the other commands', async () => {
    const once = path.join(root, 'once.csv');
    writeFileSync(once, 'text,label\na,x\nb,y\nc,z\n');
    const r = await run(['train', '--data', once, '--epochs', '1', '--out', path.join(root, 'never')]);
    expect(r.code).toBe(1);
    const lines = r.err.split('\n');
    expect(lines[0]).toMatch(/^rnnlab train: data error: .*once\.csv: --validation-split 0\.1 holds out no example/);
    expect(lines[1]).toMatch(/^DataError: /);
    expect(lines[2]).toMatch(/^\s+at /);
  });
});
