/**
 * A wrapper's static fromConfig(cls, config, customObjects) (tfjs's signature), or fromConfig(config, customObjects)
 * (Keras's), resolves its inner layer's class through customObjects, as modelFromJSON(json, customObjects) does, registering nothing; without it, a class that
 * is not registered is refused by name.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** A cell with one kernel: h' = tanh(x W + h). Registered nowhere. */
class ScaledCell extends rl.layers.Layer {
  static className = 'ScaledCellR46';
  stateSize: number;
  units: number;
  kernel: Any;
  constructor(args: Any) {
    super(args);
    this.units = args.units;
    this.stateSize = args.units;
  }
  build(shape: Any) {
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1], this.units], 'float32', rl.initializers.glorotUniform({ seed: 4 }));
    this.built = true;
  }
  call(inputs: Any) {
    const [x, h] = inputs as rl.Tensor[];
    const out = rl.tanh(rl.add(rl.matMul(x, this.kernel.read()), h));
    return [out, out];
  }
  getConfig() { return { ...super.getConfig(), units: this.units }; }
}

describe('RNN.fromConfig(cls, config, customObjects)', () => {
  it('rebuilds an RNN over a custom cell that gives the same output with copied weights', () => {
    rl.setSeed(6);
    const RNN = (rl as Any).layerClasses.RNN;
    const rnn = rl.layers.rnn({ cell: new ScaledCell({ units: 3 }) as never, returnSequences: true });
    const x = rl.randomNormal([2, 4, 2]);
    const want = Array.from((rnn.apply(x) as rl.Tensor).dataSync());
    const config = rnn.getConfig();
    const copy = RNN.fromConfig(RNN, config, { ScaledCellR46: ScaledCell });
    copy.apply(x);
    copy.setWeights(rnn.getWeights());
    expect(copy.cell).toBeInstanceOf(ScaledCell);
    expect(Array.from((copy.apply(x) as rl.Tensor).dataSync())).toEqual(want);
  });

  it('without customObjects, the unregistered cell class is refused by name', () => {
    const RNN = (rl as Any).layerClasses.RNN;
    const config = rl.layers.rnn({ cell: new ScaledCell({ units: 3 }) as never }).getConfig();
    expect(() => RNN.fromConfig(RNN, config)).toThrow(/ScaledCellR46/);
  });

  it('timeDistributed resolves its custom inner layer the same way', () => {
    class Twice extends rl.layers.Layer {
      static className = 'TwiceR46';
      call(x: Any) { return rl.mul(x as rl.Tensor, 2); }
    }
    const td = rl.layers.timeDistributed({ layer: new Twice({}) as never });
    const TD = (rl as Any).layerClasses.TimeDistributed;
    expect(() => TD.fromConfig(TD, td.getConfig())).toThrow(/TwiceR46/);
    expect(TD.fromConfig(TD, td.getConfig(), { TwiceR46: Twice }).layer).toBeInstanceOf(Twice);
  });
});

describe('Keras\'s fromConfig(config, customObjects)', () => {
  it('finds an unregistered cell there and computes as the original, registering nothing', () => {
    rl.setSeed(7);
    const RNN = (rl as Any).layerClasses.RNN;
    const rnn = rl.layers.rnn({ cell: new ScaledCell({ units: 3 }) as never, returnSequences: true });
    const x = rl.randomNormal([2, 4, 2]);
    const want = Array.from((rnn.apply(x) as rl.Tensor).dataSync());
    const copy = RNN.fromConfig(rnn.getConfig(), { ScaledCellR46: ScaledCell });
    copy.apply(x);
    copy.setWeights(rnn.getWeights());
    expect(copy.cell).toBeInstanceOf(ScaledCell);
    expect(Array.from((copy.apply(x) as rl.Tensor).dataSync())).toEqual(want);
    expect(() => RNN.fromConfig(rnn.getConfig())).toThrow(/unknown layer class 'ScaledCellR46'/);
  });

  it('refuses customObjects that are no object, naming them', () => {
    const Dense = (rl as Any).layerClasses.Dense;
    expect(() => Dense.fromConfig(rl.layers.dense({ units: 2 }).getConfig(), 5)).toThrow(/customObjects must be an object/);
  });
});
