// A label map naming one number in two spellings ('1' and '1.0', one class as the data reader counts them) is refused.
import { describe, expect, it } from 'vitest';
import { badLabelMapEntry, labelValue, resolveLabelMap, sameNumberLabels } from '../../src/data/text_labels.js';
import { DataError } from '../../src/data/errors.js';

describe('label maps and numbers', () => {
  it('labelValue reads decimal spellings of exactly held numbers, else null', () => {
    expect(['1', '1.0', '+1', '1e0', ' 1 '].map(labelValue)).toEqual([1, 1, 1, 1, 1]);
    expect(['0x10', 'Infinity', '', 'one', '9007199254740993'].map(labelValue)).toEqual([null, null, null, null, null]);
  });

  it('sameNumberLabels names the first two spellings of one number, in order', () => {
    expect(sameNumberLabels(['neg', '1.0', '0', '1'])).toEqual(['1.0', '1']);
    expect(sameNumberLabels(['1', '2', 'pos', '1.5'])).toBeNull();
  });

  it('badLabelMapEntry and resolveLabelMap refuse two spellings of one number, naming both and their classes', () => {
    expect(badLabelMapEntry({ '1.0': 'neg', '1': 'pos' }, ['neg', 'pos'])).toMatch(/maps one label twice: '1' and '1\.0' are spellings of one number \(to 'pos' and 'neg'\)/);
    expect(badLabelMapEntry({ '0': 'neg', '1': 'pos' }, ['neg', 'pos'])).toBeNull();
    expect(() => resolveLabelMap(['1', '1.0'], ['neg', 'pos'], { '1': 'pos', '1.00': 'pos' })).toThrow(DataError);
    expect(() => resolveLabelMap(['1'], ['neg', 'pos'], { '1': 'pos', '1.00': 'pos' })).toThrow(/labelMap: maps one label twice: '1' and '1\.00'/);
  });
});
