/**
 * Where evaluate may write its run: not inside the --data folder it reads (the run folder would be read as a class by
 * every later train or evaluate on that data), and not in another saved model's folder (that model's run could no
 * longer be redone into its folder), as train's --out is refused.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, isolatedCache, readResults, REPO_ROOT, run, snapshotFiles, tempDir, TRAIN_FAST, trainFolderRun, writeClassFolders } from './helpers.js';

isolatedCache();

let root: string, data: string, trainRun: string;

beforeAll(async () => {
  ({ root, data, trainRun } = await trainFolderRun());
}, 180_000);

describe('evaluate --out inside the --data folder', () => {
  it('the --data folder itself, or a folder inside it, is refused with exit code 2 naming --out and --data; nothing is written', async () => {
    const before = snapshotFiles(data);
    expectRefused(await run(['evaluate', '--model', trainRun, '--data', data, '--out', data]), 'evaluate',
      /^rnnlab evaluate: error: --out: .*reviews is the --data folder, which holds class folders: the run's results.json and reports would be read as a class/);
    const inside = path.join(data, 'eval');
    expectRefused(await run(['evaluate', '--model', trainRun, '--data', data, '--out', inside]), 'evaluate',
      new RegExp(`--out: ${inside} is inside the --data folder ${data}, which holds class folders`), inside);
    expect(snapshotFiles(data)).toEqual(before);
    expect(readdirSync(data).sort()).toEqual(['neg', 'pos']);
  });

  it('the default run folder, from a working folder inside --data, is refused too', () => {
    const copy = writeClassFolders(path.join(tempDir(), 'data'));
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), 'evaluate', '--model', trainRun, '--data', '.'], { cwd: copy, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rnnlab evaluate: error: --out: the default run folder runs\/\S+-evaluate is inside the --data folder \., which holds class folders/);
    expect(readdirSync(copy).sort()).toEqual(['neg', 'pos']);
  });

  it('a folder beside the data is fine, and the data reads the same afterwards', async () => {
    const out = path.join(root, 'eval-beside');
    const first = await run(['evaluate', '--model', trainRun, '--data', data, '--out', out, '--worst', '1']);
    expect(first.code, first.err).toBe(0);
    const counted = readResults(out).details.confusion;
    // Each class's row of the confusion matrix holds its 8 examples: no extra class came in.
    expect(counted.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual([8, 8]);
    const again = await run(['evaluate', '--model', trainRun, '--data', data, '--out', out, '--worst', '1']);
    expect(again.code, again.err).toBe(0);
    expect(readResults(out).details.confusion).toEqual(counted);
    expect(readdirSync(data).sort()).toEqual(['neg', 'pos']);
  });

  it('a --data file does not refuse an --out in its folder (only a folder of class folders is read as classes)', async () => {
    const dir = path.join(tempDir(), 'csv');
    mkdirSync(dir);
    const csv = path.join(dir, 'test.csv');
    writeFileSync(csv, 'text,label\ngreat film,pos\nawful film,neg\n');
    const out = path.join(dir, 'eval');
    const r = await run(['evaluate', '--model', trainRun, '--data', csv, '--out', out, '--worst', '1']);
    expect(r.code, r.err).toBe(0);
    expect(readResults(out).command).toBe('evaluate');
  });
});

describe('evaluate --out in a saved model\'s folder', () => {
  it("another run's model/ folder, or a folder inside it, is refused with exit code 2 naming that folder; nothing changes", async () => {
    const other = path.join(root, 'other-run');
    cpSync(trainRun, other, { recursive: true });
    const model = path.join(other, 'model');
    const before = snapshotFiles(other);
    expectRefused(await run(['evaluate', '--model', trainRun, '--data', data, '--out', model]), 'evaluate',
      new RegExp(`--out: ${model} is the folder of a saved model \\(it holds model.json\\).*the run that saved that model could no longer be run into again; nothing was changed`));
    const sub = path.join(model, 'sub');
    expectRefused(await run(['evaluate', '--model', trainRun, '--data', data, '--out', sub]), 'evaluate',
      new RegExp(`--out: ${sub} is inside ${model}, the folder of a saved model`), sub);
    expect(snapshotFiles(other)).toEqual(before);
    // That run can still be redone into its folder.
    const t = await run(['train', '--data', data, ...TRAIN_FAST, '--out', other]);
    expect(t.code, t.err).toBe(0);
  }, 60_000);

  it("the evaluated model's own folder keeps its own refusal", async () => {
    const inside = path.join(trainRun, 'model', 'x');
    expectRefused(await run(['evaluate', '--model', trainRun, '--data', data, '--out', inside]), 'evaluate',
      /--out: .*model\/x is inside the folder of the model being evaluated/, inside);
    expect(existsSync(path.join(trainRun, 'model', 'results.json'))).toBe(false);
  });
});
