/**
 * IntegerLookup's vocabulary as a text file's path, as Keras 3 takes it: one integer token per line, every line a
 * token (read as TensorFlow's TextFileInitializer reads it); bad lines are errors naming the file and the line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const dir = mkdtempSync(join(tmpdir(), 'rnnlab-vocab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (text: string) => { const p = join(dir, `v${files++}.txt`); writeFileSync(p, text); return p; };
const ids = (layer: rl.layerClasses.Layer, x: number[][]) => Array.from((layer.apply(rl.tensor(x)) as rl.Tensor).dataSync());

describe('IntegerLookup vocabulary file', () => {
  it('each line is a token, in order after the mask and OOV indices, as the same array gives', () => {
    const path = file('12\n36\r\n 1138 \n42\n');
    const fromFile = L.integerLookup({ vocabulary: path, maskToken: 0 });
    const fromArray = L.integerLookup({ vocabulary: [12, 36, 1138, 42], maskToken: 0 });
    const x = [[12, 1138, 42], [42, 1000, 0]];
    expect(ids(fromFile, x)).toEqual([2, 4, 5, 5, 1, 0]);
    expect(ids(fromFile, x)).toEqual(ids(fromArray, x));
    expect(fromFile.getVocabulary()).toEqual([0, -1, 12, 36, 1138, 42]);
    expect(ids(L.integerLookup({ vocabulary: pathToFileURL(path).href, invert: true }), [[1, 2, 9]])).toEqual([12, 36, -1]);
  });

  it('a first line equal to the OOV token is a token, as Keras reads a file (an array would drop it as the OOV slot)', () => {
    const layer = L.integerLookup({ vocabulary: file('-1\n7\n') });
    expect(layer.getVocabulary()).toEqual([-1, -1, 7]);
    expect(ids(layer, [[-1, 7, 3]])).toEqual([1, 2, 0]);
    // The config holds the tokens, so the layer rebuilt from it looks up the same.
    const again = rl.layerClasses.IntegerLookup.fromConfig(layer.getConfig());
    expect(ids(again as rl.layerClasses.Layer, [[-1, 7, 3]])).toEqual([1, 2, 0]);
  });

  it('setVocabulary reads a file too, and a multi_hot layer gets its width from it', () => {
    const layer = L.integerLookup({ outputMode: 'multi_hot' });
    layer.setVocabulary(file('5\n6\n'));
    expect(ids(layer, [[6, 9]])).toEqual([1, 0, 1]);
  });

  it('bad lines are errors naming the file and the line', () => {
    const bad = file('3\nfour\n5\n');
    expect(() => L.integerLookup({ vocabulary: bad })).toThrow(`vocabulary file ${JSON.stringify(bad)} line 2: "four" is not an integer token`);
    expect(() => L.integerLookup({ vocabulary: file('3\n2.5\n') })).toThrow(/line 2: "2\.5" is not an integer token/);
    expect(() => L.integerLookup({ vocabulary: file('3\n\n5\n') })).toThrow(/line 2 is empty; each line holds one integer token/);
    expect(() => L.integerLookup({ vocabulary: file('3\n4\n3\n') })).toThrow(/line 3 repeats the token 3 of line 1; each token must appear once/);
    expect(() => L.integerLookup({ vocabulary: file('') })).toThrow(/vocabulary file ".*" is empty/);
    expect(() => L.integerLookup({ vocabulary: file('9007199254740993\n') })).toThrow(/line 1: 9007199254740993 is outside the integers held exactly/);
    const missing = join(dir, 'nope.txt');
    expect(() => L.integerLookup({ vocabulary: missing })).toThrow(`cannot read the vocabulary file ${JSON.stringify(missing)}: no such file`);
    expect(() => L.integerLookup({ vocabulary: 'https://example.com/v.txt' })).toThrow(/https:\/\/ is not read; give a local path/);
  });

  it('the checks an array vocabulary gets apply: the mask token among the tokens, maxTokens', () => {
    expect(() => L.integerLookup({ vocabulary: file('4\n0\n'), maskToken: 0 })).toThrow(/the vocabulary holds the mask token 0 among its tokens/);
    expect(() => L.integerLookup({ vocabulary: file('4\n5\n6\n'), maxTokens: 3 })).toThrow(/the vocabulary has 4 entries with its mask and OOV indices; maxTokens is 3/);
  });

  it('a loaded config naming a file is refused (Keras\'s safe mode refuses it too); adapt reads no file', () => {
    const path = file('1\n2\n');
    expect(() => rl.layerClasses.IntegerLookup.fromConfig({ name: 'lookup', vocabulary: path })).toThrow(/the config's vocabulary is a file path, .*which a loaded config may not make rnnlab read/);
    expect(() => L.integerLookup().adapt(path as never)).toThrow(/adapt data must be a tensor or \(nested\) arrays of numbers, got the string/);
  });
});
