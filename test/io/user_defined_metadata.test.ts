/**
 * tfjs's model.setUserDefinedMetadata / getUserDefinedMetadata: the object travels in model.json's
 * userDefinedMetadata, both ways between rnnlab and tfjs 4.22, through files and IO handlers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const meta = { vocabulary: ['<pad>', 'good', 'bad'], threshold: 0.5, nested: { labels: { 0: 'neg', 1: 'pos' } } };
const small = () => rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });

describe('userDefinedMetadata', () => {
  it('is saved to model.json and read back by rnnlab, through a folder and through a handler', async () => {
    const m = small();
    expect(m.getUserDefinedMetadata()).toBeUndefined();
    m.setUserDefinedMetadata(meta);
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-metadata-'));
    await m.save(`file://${dir}`);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).userDefinedMetadata).toEqual(meta);
    expect((await rl.loadLayersModel(`file://${dir}`)).getUserDefinedMetadata()).toEqual(meta);
    let artifacts: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((a) => { artifacts = a; return {}; }));
    expect(artifacts!.userDefinedMetadata).toEqual(meta);
    expect((await rl.loadLayersModel(rl.io.fromMemory(artifacts!))).getUserDefinedMetadata()).toEqual(meta);
    // A model saved without metadata writes no field (as tfjs).
    const plain = mkdtempSync(join(tmpdir(), 'rnnlab-metadata-'));
    await small().save(`file://${plain}`);
    expect('userDefinedMetadata' in JSON.parse(readFileSync(join(plain, 'model.json'), 'utf8'))).toBe(false);
  });

  it('crosses to and from tfjs 4.22', async () => {
    const m = small();
    m.setUserDefinedMetadata(meta);
    let ours: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((a) => { ours = a; return {}; }));
    const inTfjs = await tf.loadLayersModel(tf.io.fromMemory(ours as never));
    expect(inTfjs.getUserDefinedMetadata()).toEqual(meta);
    let theirs: tf.io.ModelArtifacts | undefined;
    await inTfjs.save(tf.io.withSaveHandler(async (a) => { theirs = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    expect((await rl.loadLayersModel(rl.io.fromMemory(theirs as never))).getUserDefinedMetadata()).toEqual(meta);
  });

  it('takes a plain JSON object only, and keeps a copy', () => {
    const m = small();
    expect(() => m.setUserDefinedMetadata([1, 2] as never)).toThrow(/setUserDefinedMetadata takes a plain object, got a list/);
    expect(() => m.setUserDefinedMetadata('x' as never)).toThrow(/setUserDefinedMetadata takes a plain object, got string/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => m.setUserDefinedMetadata(cyclic)).toThrow(/setUserDefinedMetadata: the object is not JSON/);
    const given = { a: 1 };
    m.setUserDefinedMetadata(given);
    given.a = 2;
    expect(m.getUserDefinedMetadata()).toEqual({ a: 1 });
  });
});
