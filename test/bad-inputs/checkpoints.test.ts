/** Bad checkpoints and --resume folders: each is a CheckpointError that says what does not match, and the model is left as it was. */
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { CheckpointError } from '../../src/io/errors.js';
import { removeDir, sameBits, silent, tempDir, toyText } from '../io/helpers.js';
import { expectClean } from './helpers.js';

const root = tempDir('rnnlab-bad-ckpt-');
const good = join(root, 'good');
afterAll(() => removeDir(root));

function model(kind: 'lstm' | 'gru' = 'lstm', units = 6, optimizer: 'adam' | 'sgd' = 'adam'): rl.Sequential {
  rl.setSeed(2);
  const rnn = kind === 'lstm' ? rl.layers.lstm({ units }) : rl.layers.gru({ units });
  const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 8 }), rnn, rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer, loss: 'binaryCrossentropy' });
  return m;
}
const data = toyText(48, 8, 12, 3);

beforeAll(async () => {
  // A mid-epoch checkpoint: stop after batch 2 of epoch 2.
  const m = model();
  let epoch = 0;
  const stop: rl.Callback = { onEpochBegin: (e) => { epoch = e; }, onBatchEnd: (b) => { if (epoch === 1 && b === 1) throw new Error('stop'); } };
  await expect(m.fit(data.x, data.y, { epochs: 3, batchSize: 8, verbose: 0,
    callbacks: [rl.callbacks.backupAndRestore({ backupDir: good, saveFreq: 1, verbose: 0, handleInterrupt: false }), stop] })).rejects.toThrow('stop');
});

let n = 0;
function copy(edit?: (dir: string) => void): string {
  const dir = join(root, `v${n++}`);
  cpSync(good, dir, { recursive: true });
  edit?.(dir);
  return dir;
}
function editJson(dir: string, f: (j: Record<string, any>) => void): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const p = join(dir, 'checkpoint.json');
  const j = JSON.parse(readFileSync(p, 'utf8'));
  f(j);
  writeFileSync(p, JSON.stringify(j));
}
const binFile = (dir: string, prefix: string) => join(dir, readdirSync(dir).find((f) => f.startsWith(prefix))!);

/** Resuming `dir` into m fails with a CheckpointError matching message, and m's weights do not change. */
async function refuses(dir: string, message: RegExp, m = model(), samples = data): Promise<void> {
  const before = m.getWeights().map((w) => w.dataSync() as Float32Array);
  const resume = rl.callbacks.backupAndRestore({ backupDir: dir, restore: 'require', out: silent });
  await expectClean(() => m.fit(samples.x, samples.y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [resume] }), CheckpointError, message);
  expect(sameBits(m.getWeights().map((w) => w.dataSync() as Float32Array), before)).toBe(true);
  expect(process.listenerCount('SIGINT')).toBe(0);
}

describe('a --resume folder from a different model', () => {
  it('another layer class, other units, another optimizer, an uncompiled model', async () => {
    await refuses(good, /was written for a different model: layer 1 is LSTM\(units=6.*\) in the checkpoint but GRU\(units=6.*\) here/, model('gru'));
    await refuses(good, /different model: layer 1 is LSTM\(units=6.*\) in the checkpoint but LSTM\(units=8.*\) here \(units: 6 there, 8 here/, model('lstm', 8));
    await refuses(good, /holds Adam state, but the model is compiled with SGD/, model('lstm', 6, 'sgd'));
    const other = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputDim: 8 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    other.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await refuses(good, /different model: the checkpoint's model has 3 layers, this one has 2/, other, { x: rl.tensor(new Float32Array(48 * 8), [48, 8]), y: data.y });
    const unc = model();
    await expectClean(() => rl.restoreCheckpoint(good, rl.sequential({ layers: unc.layers.map((l) => l) })), CheckpointError, /compile the model before restoring \(the checkpoint holds Adam state\)/);
  });

  it('a mid-epoch checkpoint resumed on different data cannot continue that epoch', async () => {
    await refuses(good, /stopped inside epoch 2 of a run with 48 samples and batch size 8; this run has 40 samples/, model(), toyText(40, 8, 12, 3));
  });

  it('no checkpoint where one is required; not a folder', async () => {
    await refuses(join(root, 'missing'), /no checkpoint to resume from in .*missing/);
    await expectClean(() => rl.restoreCheckpoint(join(root, 'missing'), model()), CheckpointError, /no checkpoint: the folder .* does not exist/);
    await expectClean(() => rl.restoreCheckpoint(join(good, 'checkpoint.json'), model()), CheckpointError, /is not a folder/);
    await expectClean(() => rl.restoreCheckpoint(copy((d) => rmSync(join(d, 'checkpoint.json'))), model()), CheckpointError, /checkpoint\.json is missing/);
  });
});

describe('damaged checkpoints', () => {
  it('damaged binary files are caught by size and checksum', async () => {
    await refuses(copy((d) => { const p = binFile(d, 'weights-'); const b = readFileSync(p); b[7] ^= 1; writeFileSync(p, b); }), /the weights file weights-\d+\.bin is corrupt \(SHA-256 mismatch\)/);
    await refuses(copy((d) => truncateSync(binFile(d, 'weights-'), 10)), /the weights file weights-\d+\.bin has 10 bytes, expected \d+ \(truncated or replaced\)/);
    await refuses(copy((d) => rmSync(binFile(d, 'weights-'))), /the weights file weights-\d+\.bin is missing or unreadable/);
    await refuses(copy((d) => { const p = binFile(d, 'optimizer-'); const b = readFileSync(p); b[b.length - 1] ^= 0x80; writeFileSync(p, b); }), /the optimizer file optimizer-\d+\.bin is corrupt/);
  });

  it('a damaged checkpoint.json names the field', async () => {
    const j = (f: (j: Record<string, any>) => void) => copy((d) => editJson(d, f)); // eslint-disable-line @typescript-eslint/no-explicit-any
    await refuses(copy((d) => writeFileSync(join(d, 'checkpoint.json'), '{"format": "rnnlab-checkpoint", ')), /checkpoint\.json is not valid JSON/);
    await refuses(copy((d) => writeFileSync(join(d, 'checkpoint.json'), '')), /checkpoint\.json is empty/);
    await refuses(j((c) => { c.format = 'keras'; }), /not an rnnlab checkpoint \(format "keras"\)/);
    await refuses(j((c) => { c.version = 99; }), /checkpoint version 99 is not supported/);
    await refuses(j((c) => { c.state.rng = [1, 2, 3]; }), /state\.rng must hold four 32-bit words/);
    await refuses(j((c) => { c.state.rng = [0, 0, 0, 0, null]; }), /state\.rng is all zeros/);
    await refuses(j((c) => { c.state.nextEpoch = -1; }), /state\.nextEpoch must be an integer >= 0, got -1/);
    await refuses(j((c) => { c.state.progress.epoch = 0; }), /state\.progress\.epoch \(0\) must equal state\.nextEpoch \(1\)/);
    await refuses(j((c) => { c.state.progress.batch = 99; }), /state\.progress\.batch 99 is past the epoch's 6 batches/);
    await refuses(j((c) => { c.state.progress.order = Buffer.from(new Int32Array(48).fill(3).buffer).toString('base64'); }), /state\.progress\.order is not a permutation/);
    await refuses(j((c) => { c.state.progress.order = 'AAAA'; }), /state\.progress\.order holds 0 indices for 48 samples/);
    await refuses(j((c) => { c.files.weights.path = '../../etc/passwd'; }), /files\.weights\.path '\.\.\/\.\.\/etc\/passwd' is not a checkpoint file name/);
    await refuses(j((c) => { c.files.weights.bytes = 12; }), /the weights file should hold \d+ bytes, checkpoint\.json says 12/);
    await refuses(j((c) => { c.optimizer.slots[0].count = 3; }), /has 3 slots; Adam keeps 2/);
    await refuses(j((c) => { c.optimizer.iterations = 'many'; }), /optimizer\.iterations must be an integer >= 0/);
    await refuses(j((c) => { c.state.history.history.loss = 'low'; }), /state\.history\.history\.loss must be a list/);
    await refuses(j((c) => { c.weights[0].shape = [3, 3]; }), /weight '.*embeddings' has shape \[3, 3\]/);
    await refuses(j((c) => { c.signature = '0'.repeat(64); }), /different model/);
  });

  it('the intact checkpoint still resumes after all that', async () => {
    const m = model();
    const h = await m.fit(data.x, data.y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [rl.callbacks.backupAndRestore({ backupDir: copy(), verbose: 0 })] });
    expect(h.epoch).toEqual([0, 1, 2]);
  });
});
