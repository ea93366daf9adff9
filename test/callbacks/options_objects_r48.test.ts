// Which objects the Keras-style options readers take. tfjs reads args.patience from whatever object it is given, so a
// class instance holding its options as own fields and a plain object from another realm (vm) are read; refused is
// only what would lose data: a built-in whose contents sit in internal slots (a Map), or options inherited from a
// prototype below Object.prototype, which reading own keys would drop.
import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
import * as rl from '../../src/index.js';

class Cfg { patience: number; monitor: string; constructor() { this.patience = 4; this.monitor = 'loss'; } }
class WithGetter { get patience(): number { return 5; } }
class MyMap extends Map<string, number> {}
function Legacy(this: object) { /* options on the prototype, as pre-class code set them */ }
Legacy.prototype.patience = 6;

describe('options objects', () => {
  it('a plain object from another realm is read', () => {
    const es = rl.callbacks.earlyStopping(vm.runInNewContext('({ patience: 3, min_delta: 0.1 })'));
    expect([es.patience, es.minDelta]).toEqual([3, 0.1]);
    expect(rl.constraints.maxNorm(vm.runInNewContext('({ maxValue: 3 })')).getConfig()).toMatchObject({ maxValue: 3 });
  });

  it('a class instance with its options as own fields is read, and its unknown field is still an error', () => {
    const es = rl.callbacks.earlyStopping(new Cfg() as never);
    expect([es.patience, es.monitor]).toEqual([4, 'loss']);
    expect(() => rl.callbacks.earlyStopping(new (class { patiense = 1; })() as never)).toThrow(/earlyStopping: unknown option 'patiense' \(did you mean 'patience'\?\)/);
  });

  it.each([
    ['options inherited from a plain prototype', () => rl.callbacks.earlyStopping(Object.create({ patience: 9 })), /earlyStopping: the options argument must be an object of options \(\{\.\.\.\}\), got an object that inherits 'patience' from its prototype, which would not be read/],
    ['options set on a constructor\'s prototype', () => rl.callbacks.earlyStopping(new (Legacy as never as new () => object)() as never), /earlyStopping: .* got an instance of Legacy that inherits 'patience'/],
    ['an option as a prototype getter', () => rl.callbacks.earlyStopping(new WithGetter() as never), /earlyStopping: .* got an instance of WithGetter that inherits 'patience'/],
    ['a Map', () => rl.callbacks.earlyStopping(new Map([['patience', 3]]) as never), /earlyStopping: .* got a Map, whose contents are not options/],
    ['a Map subclass', () => rl.callbacks.reduceLROnPlateau(new MyMap() as never), /ReduceLROnPlateau: .* got a Map \(an instance of MyMap\), whose contents are not options/],
    ['a Map from another realm', () => rl.callbacks.earlyStopping(vm.runInNewContext('new Map()')), /earlyStopping: .* got a Map, whose contents are not options/],
    ['a Date', () => rl.callbacks.terminateOnNaN(new Date() as never), /terminateOnNaN: .* got a Date/],
  ])('refused: %s, naming what would be dropped', (_, make, message) => {
    expect(make).toThrow(message);
  });
});
