/**
 * Fuzzing model.json, weight files and checkpoints: a bounded number of seeded random mutations, each of
 * which must either load (the mutation was harmless) or fail with rnnlab's own error class and a message,
 * never a TypeError, a RangeError, a hang or a crash. FUZZ_ITERATIONS scales the count; FUZZ_SEED replays.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { CheckpointError, ModelFormatError } from '../../src/io/errors.js';
import { Random } from '../../src/random.js';
import { removeDir, silent, tempDir, toyText } from '../io/helpers.js';
import { mutateBytes, mutateJson, type Json } from './mutate.js';

const ITER = Number(process.env.FUZZ_ITERATIONS ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const root = tempDir('rnnlab-fuzz-');
afterAll(() => removeDir(root));

const SURPRISES = /TypeError|RangeError|Cannot read propert|is not a function|undefined is not (a function|an object|iterable)|Maximum call stack|\[object Object\]|Invalid typed array length|Array buffer allocation/;

/** Runs fn; returns 'ok' or the error, failing the test on anything but the expected error classes. */
async function clean(fn: () => unknown, allowed: (abstract new (...a: never[]) => Error)[], context: () => string): Promise<'ok' | Error> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    const ok = allowed.some((c) => e instanceof c);
    if (!ok || SURPRISES.test((e as Error).message) || !(e as Error).message) {
      throw new Error(`unclean failure ${(e as Error)?.name}: ${(e as Error)?.message}\n${context()}\n${(e as Error)?.stack ?? ''}`);
    }
    return e as Error;
  }
}

let modelDir = '';
let ckptDir = '';
const data = toyText(32, 6, 10, 1);

function build(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 6 }),
    rl.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same' }),
    rl.layers.bidirectional({ layer: rl.layers.gru({ units: 2, returnSequences: true, resetAfter: false }) }),
    rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }) }),
    rl.layers.lstm({ units: 2 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.01, clipnorm: 1 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

beforeAll(async () => {
  const m = build();
  modelDir = join(root, 'model');
  await m.save(modelDir);
  ckptDir = join(root, 'ckpt');
  let e = 0;
  const stop: rl.Callback = { onEpochBegin: (x) => { e = x; }, onBatchEnd: (b) => { if (e === 1 && b === 1) throw new Error('stop'); } };
  await expect(m.fit(data.x, data.y, { epochs: 2, batchSize: 8, verbose: 0,
    callbacks: [rl.callbacks.backupAndRestore({ backupDir: ckptDir, saveFreq: 1, verbose: 0, handleInterrupt: false }), stop] })).rejects.toThrow('stop');
});

let n = 0;
function copyOf(src: string): string {
  const dir = join(root, `f${n++}`);
  cpSync(src, dir, { recursive: true });
  return dir;
}

describe('fuzz', () => {
  it(`model.json: ${ITER} structural and byte mutations load or fail with ModelFormatError`, async () => {
    const r = new Random(SEED);
    const original = readFileSync(join(modelDir, 'model.json'));
    const doc = JSON.parse(original.toString('utf8')) as Json;
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < ITER; i++) {
      const dir = copyOf(modelDir);
      let text: Buffer;
      let desc: string;
      if (r.next() < 0.75) {
        let d = doc;
        const k = 1 + r.int(3);
        for (let j = 0; j < k; j++) d = mutateJson(d, r);
        text = Buffer.from(JSON.stringify(d));
        desc = `json mutation (${k} steps)`;
      } else {
        text = mutateBytes(original, r);
        desc = 'byte mutation';
      }
      writeFileSync(join(dir, 'model.json'), text);
      if (r.next() < 0.15) writeFileSync(join(dir, 'weights.bin'), mutateBytes(readFileSync(join(dir, 'weights.bin')), r));
      const res = await clean(async () => {
        const m = await rl.loadModel(dir);
        // A model that loads is usable: it predicts on a small batch of the shape it declares.
        const shape = m.inputShape;
        if (shape.every((d) => d === null || d <= 64) && shape.slice(1).every((d) => d !== null) && m.countParams() < 1e5) {
          const dims = [shape[0] ?? 2, ...shape.slice(1)] as number[];
          const size = dims.reduce((a, b) => a * b, 1);
          if (size <= 4096 && m.layers.every((l) => l.className !== 'RepeatVector')) m.predict(rl.tensor(new Float32Array(size), dims));
        }
      }, [ModelFormatError], () => `seed ${SEED}, iteration ${i}, ${desc}:\n${text.toString('utf8').slice(0, 3000)}`);
      outcomes[res === 'ok' ? 'ok' : 'error']++;
      removeDir(dir);
    }
    // The mutations must actually bite: most runs are errors, some are harmless.
    expect(outcomes.error).toBeGreaterThan(ITER / 3);
  });

  it(`checkpoints: ${ITER} mutations of checkpoint.json and its binary files restore or fail with CheckpointError`, async () => {
    const r = new Random(SEED + 1);
    const originalJson = readFileSync(join(ckptDir, 'checkpoint.json'));
    const doc = JSON.parse(originalJson.toString('utf8')) as Json;
    const outcomes = { ok: 0, error: 0, trained: 0 };
    for (let i = 0; i < ITER; i++) {
      const dir = copyOf(ckptDir);
      let desc: string;
      const which = r.next();
      if (which < 0.6) {
        let d = doc;
        const k = 1 + r.int(3);
        for (let j = 0; j < k; j++) d = mutateJson(d, r);
        writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(d));
        desc = `checkpoint.json json mutation: ${JSON.stringify(d).slice(0, 2000)}`;
      } else if (which < 0.75) {
        writeFileSync(join(dir, 'checkpoint.json'), mutateBytes(originalJson, r));
        desc = 'checkpoint.json byte mutation';
      } else {
        const bins = readdirSync(dir).filter((f) => f.endsWith('.bin'));
        const f = bins[r.int(bins.length)];
        writeFileSync(join(dir, f), mutateBytes(readFileSync(join(dir, f)), r));
        desc = `byte mutation of ${f}`;
      }
      const m = build();
      const res = await clean(async () => {
        // Through fit, as --resume does; the few that restore also train on to the end.
        const h = await m.fit(data.x, data.y, { epochs: 2, batchSize: 8, verbose: 0,
          callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, restore: 'require', out: silent, handleInterrupt: false, deleteCheckpoint: false })] });
        if (h.epoch.length) outcomes.trained++;
      }, [CheckpointError], () => `seed ${SEED + 1}, iteration ${i}, ${desc}`);
      outcomes[res === 'ok' ? 'ok' : 'error']++;
      removeDir(dir);
    }
    expect(outcomes.error).toBeGreaterThan(ITER / 3);
  });
});
