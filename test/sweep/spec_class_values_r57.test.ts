/**
 * A sweep spec's mappings are plain records, as everywhere else in rnnlab (src/plain_object.ts): a YAML-tagged value
 * that parses to a class instance (a YAML 1.1 date, !!set, !!omap) was read as a mapping with no keys, so its flags
 * were silently dropped and the runs trained with the defaults.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec, SweepSpecError, validateSpec } from '../../src/sweep/spec.js';

describe('sweep spec mappings that are class instances', () => {
  it.each([
    ['a YAML 1.1 date', '%YAML 1.1\n---\ncommand: imdb\nflags: 2001-12-14\n'],
    ['a !!set', '%YAML 1.1\n---\ncommand: imdb\nflags: !!set { epochs, units }\n'],
    ['a !!omap', '%YAML 1.1\n---\ncommand: imdb\nflags: !!omap [ epochs: 2 ]\n'],
  ])('refuses flags given as %s, naming flags', (_what, text) => {
    expect(() => parseSpec(text, 'sweep.yaml')).toThrow(new SweepSpecError('sweep.yaml: flags must be a mapping of flag: value'));
  });

  it('refuses a list item or a grid that is a Map, and a whole spec that is one', () => {
    expect(() => validateSpec({ command: 'imdb', list: [new Map([['epochs', 2]])] }, 'spec'))
      .toThrow('spec: list[0] must be a mapping of flag: value');
    expect(() => validateSpec({ command: 'imdb', grid: new Map([['units', [1, 2]]]) }, 'spec'))
      .toThrow('spec: grid must be a mapping of flag: [values]');
    expect(() => validateSpec(new Map([['command', 'imdb']]), 'spec')).toThrow('spec: the spec must be a mapping');
  });

  it('still reads a mapping YAML and JSON give, and one made with Object.create(null)', () => {
    expect(parseSpec('%YAML 1.1\n---\ncommand: imdb\nflags: { epochs: 2 }\n').flags).toEqual({ epochs: 2 });
    const flags = Object.assign(Object.create(null) as Record<string, unknown>, { epochs: 2 });
    expect(validateSpec({ command: 'imdb', flags }, 'spec').flags).toEqual({ epochs: 2 });
  });
});
