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
    const masked = file('4\n0\n');
    expect(() => L.integerLookup({ vocabulary: masked, maskToken: 0 })).toThrow(`vocabulary file ${JSON.stringify(masked)} line 2 is the mask token 0; every line of a file is a token`);
    expect(() => L.integerLookup({ vocabulary: file('4\n5\n6\n'), maxTokens: 3 })).toThrow(/the vocabulary has 4 entries with its mask and OOV indices; maxTokens is 3/);
  });

  it('a file that starts with the special tokens is refused by line, pointing to the options, not to an order it cannot take', () => {
    // As an array, [0, -1, 7] is the special tokens then 7; a file's lines are all tokens, so 0 is line 1.
    expect(L.integerLookup({ vocabulary: [0, -1, 7], maskToken: 0 }).getVocabulary()).toEqual([0, -1, 7]);
    const special = file('0\n-1\n7\n');
    const refused = () => L.integerLookup({ vocabulary: special, maskToken: 0 });
    expect(refused).toThrow(`vocabulary file ${JSON.stringify(special)} line 1 is the mask token 0; every line of a file is a token, so leave it out of the file: the special tokens come from the layer's options (maskToken, oovToken), not from the file`);
    expect(refused).not.toThrow(/in this order/);
    // invert gives the OOV token back for unknown indices, so a file holding it is refused too, by its line.
    const oov = file('5\n-1\n');
    expect(() => L.integerLookup({ vocabulary: oov, invert: true })).toThrow(`vocabulary file ${JSON.stringify(oov)} line 2 is the OOV token -1, which invert gives back for unknown indices; every line of a file is a token`);
    expect(L.integerLookup({ vocabulary: file('5\n-1\n') }).getVocabulary()).toEqual([-1, 5, -1]);
  });

  it('a loaded config naming a file is refused (Keras\'s safe mode refuses it too); adapt reads no file', () => {
    const path = file('1\n2\n');
    expect(() => rl.layerClasses.IntegerLookup.fromConfig({ name: 'lookup', vocabulary: path })).toThrow(/the config's vocabulary is a file path, .*which a loaded config may not make rnnlab read/);
    expect(() => L.integerLookup().adapt(path as never)).toThrow(/adapt data must be a tensor or \(nested\) arrays of numbers, got the string/);
  });
});
