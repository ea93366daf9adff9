/**
 * Layer-API leftovers: a custom layer without call() is refused where it is connected, as where it runs; a cell's
 * output shapes are its step's ([output, ...states], each (batch, units)); Bidirectional's copies of a user's RNN
 * subclass are of that class (tfjs's deserialize(serialize(layer))).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('a custom layer whose class writes no call()', () => {
  class NoCallR49 extends rl.layers.Layer {
    static className = 'NoCallR49';
    computeOutputShape(s: Any) { return s; }
  }
  class Unnamed extends rl.layers.Layer {}

  it('is refused by apply on rl.input(), as predict and call refuse it, naming the layer', () => {
    const inp = rl.input({ shape: [3] });
    expect(() => new NoCallR49({ name: 'nc_sym' }).apply(inp)).toThrow(/nc_sym \(NoCallR49\): the layer defines no call\(\)/);
    expect(() => new NoCallR49({ name: 'nc_eager' }).apply(rl.ones([1, 3]))).toThrow(/nc_eager \(NoCallR49\): the layer defines no call\(\)/);
  });

  it('names the JavaScript class when it has no static className', () => {
    expect(() => new Unnamed({ name: 'un' }).apply(rl.input({ shape: [3] }))).toThrow(/un \(Layer\): the layer \(class Unnamed\) defines no call\(\)/);
  });

  it('is refused when a Sequential model connects it', () => {
    expect(() => rl.sequential({ layers: [new NoCallR49({ name: 'nc_seq', inputShape: [3] })] })).toThrow(/nc_seq \(NoCallR49\): the layer defines no call\(\)/);
  });

  it('is refused when an apply override hands rl.input()s on to super.apply, which no predict could run', () => {
    class ApplySuperR49 extends rl.layers.Layer {
      static className = 'ApplySuperR49';
      apply(inputs: Any, kwargs?: Any): Any { return super.apply(inputs, kwargs); }
    }
    expect(() => new ApplySuperR49({ name: 'as_sym' }).apply(rl.input({ shape: [3] }))).toThrow(/as_sym \(ApplySuperR49\): the layer defines no call\(\)/);
  });

  it('an apply override that computes for itself still connects and runs without call()', () => {
    class WrapR49 extends rl.layers.Layer {
      static className = 'WrapR49';
      readonly d = rl.layers.dense({ units: 2, kernelInitializer: 'ones' });
      apply(inputs: Any, kwargs?: Any): Any { return this.d.apply(inputs, kwargs); }
    }
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: new WrapR49().apply(inp) as rl.SymbolicTensor });
    expect(Array.from((m.predict(rl.tensor2d([[1, -2, 4]])) as rl.Tensor).dataSync())).toEqual([3, 3]);
  });

  it('a call written as a class field is the layer\'s call, connected and run', () => {
    class FieldCallR49 extends rl.layers.Layer {
      static className = 'FieldCallR49';
      call = (x: rl.Tensor | rl.Tensor[]) => rl.mul(Array.isArray(x) ? x[0] : x, 2);
    }
    const x = rl.tensor2d([[1, -2, 3]]);
    expect(Array.from((new FieldCallR49().apply(x) as rl.Tensor).dataSync())).toEqual([2, -4, 6]);
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: new FieldCallR49().apply(inp) as rl.SymbolicTensor });
    expect(Array.from((m.predict(x) as rl.Tensor).dataSync())).toEqual([2, -4, 6]);
    const seq = rl.sequential({ layers: [new FieldCallR49({ inputShape: [3] })] });
    expect(Array.from((seq.predict(x) as rl.Tensor).dataSync())).toEqual([2, -4, 6]);
  });

  it('a layer that writes call() still connects and runs', () => {
    class Twice extends rl.layers.Layer {
      static className = 'TwiceR49';
      call(x: rl.Tensor | rl.Tensor[]) { return rl.mul(Array.isArray(x) ? x[0] : x, 2); }
    }
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: new Twice().apply(inp) as rl.SymbolicTensor });
    expect(Array.from((m.predict(rl.tensor2d([[1, -2, 3]])) as rl.Tensor).dataSync())).toEqual([2, -4, 6]);
  });
});

describe('a cell\'s output shapes are its step\'s', () => {
  const x = () => rl.input({ shape: [3] });
  const s = () => rl.input({ shape: [4] });

  it('computeOutputShape of [x, ...states] is what apply([x, ...states]) gives: [output, ...states], each (batch, 4)', () => {
    const lstm = rl.layers.lstmCell({ units: 4 });
    expect(lstm.computeOutputShape([[null, 3], [null, 4], [null, 4]] as Any)).toEqual([[null, 4], [null, 4], [null, 4]]);
    const gru = rl.layers.gruCell({ units: 4 });
    const outs = gru.apply([x(), s()]) as rl.SymbolicTensor[];
    expect(gru.computeOutputShape([[null, 3], [null, 4]] as Any)).toEqual(outs.map((t) => t.shape));
    const stack = rl.layers.stackedRNNCells({ cells: [rl.layers.lstmCell({ units: 4 }), rl.layers.gruCell({ units: 5 })] });
    expect(stack.computeOutputShape([[null, 3], [null, 5], [null, 4], [null, 4]] as Any)).toEqual([[null, 5], [null, 5], [null, 4], [null, 4]]);
  });

  it('x alone keeps tfjs\'s answer (its docs print [null, 10] for a cell applied to x)', () => {
    expect(rl.layers.lstmCell({ units: 2 }).computeOutputShape([null, 10])).toEqual([null, 10]);
    const cell = rl.layers.lstmCell({ units: 2 });
    expect((cell.apply(rl.input({ shape: [10] })) as rl.SymbolicTensor).shape).toEqual([null, 10]);
    expect(cell.outputShape).toEqual([null, 10]);
  });

  it('outputShape after apply([x, h, c]) lists the step\'s outputs, for a cell of its own and a layer\'s cell', () => {
    const cell = rl.layers.lstmCell({ units: 4 });
    cell.apply([x(), s(), s()]);
    expect(cell.outputShape).toEqual([[null, 4], [null, 4], [null, 4]]);
    const layer = rl.layers.lstm({ units: 4 });
    layer.apply(rl.input({ shape: [5, 3] }));
    const own = (layer as Any).cell;
    own.apply([x(), s(), s()]);
    expect(own.outputShape).toEqual([[null, 4], [null, 4], [null, 4]]);
  });

  it('outputShape of a stack after apply([x, ...states]) lists its step\'s outputs, as computeOutputShape does', () => {
    const stack = rl.layers.stackedRNNCells({ cells: [rl.layers.lstmCell({ units: 2 }), rl.layers.gruCell({ units: 3 })] });
    const outs = stack.apply([rl.input({ shape: [5] }), rl.input({ shape: [3] }), rl.input({ shape: [2] }), rl.input({ shape: [2] })]) as rl.SymbolicTensor[];
    expect(stack.outputShape).toEqual([[null, 3], [null, 3], [null, 2], [null, 2]]);
    expect(stack.outputShape).toEqual(outs.map((t) => t.shape));
  });

  it('a cell run on tensors, or built by its rnn, answers with its step\'s outputs', () => {
    const gru = rl.layers.gruCell({ units: 4 });
    gru.apply([rl.zeros([2, 3]), rl.zeros([2, 4])]);
    expect(gru.outputShape).toEqual([[null, 4], [null, 4]]);
    const rnn = rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 4 }) });
    rnn.apply(rl.zeros([2, 5, 3]));
    expect(rnn.cell.outputShape).toEqual([[null, 4], [null, 4], [null, 4]]);
  });
});

describe('Bidirectional over a user\'s subclass of rl.layers.RNN', () => {
  // Its build sets every weight to 0.1: a plain RNN copy would draw random weights instead.
  class FixedRNNR49 extends rl.layers.RNN {
    static className = 'FixedRNNR49';
    build(shape: Any) {
      super.build(shape);
      this.setWeights(this.getWeights().map((w) => rl.fill(w.shape, 0.1)));
    }
  }
  rl.serialization.registerClass(FixedRNNR49 as Any);
  const x = () => rl.tensor3d(Array.from({ length: 30 }, (_, i) => Math.sin(i)), [2, 5, 3]);
  const simple = () => rl.layers.simpleRNNCell({ units: 4 });

  it('makes both copies of that class, which compute with its build and save under its name', () => {
    const b = rl.layers.bidirectional({ layer: new FixedRNNR49({ cell: simple() }), mergeMode: null });
    expect(b.forwardLayer).toBeInstanceOf(FixedRNNR49);
    expect(b.backwardLayer).toBeInstanceOf(FixedRNNR49);
    expect((b.getConfig().layer as Any).className).toBe('FixedRNNR49');
    const [f] = b.apply(x()) as rl.Tensor[];
    const ref = rl.layers.simpleRNN({ units: 4 });
    ref.apply(x());
    ref.setWeights(ref.getWeights().map((w) => rl.fill(w.shape, 0.1)));
    const want = Array.from((ref.apply(x()) as rl.Tensor).dataSync());
    Array.from(f.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('copies a subclass loaded through customObjects under the built-in\'s key ({RNN: Sub}) as that class', async () => {
    class AsRNNR49 extends rl.layers.RNN {
      static className = 'AsRNNR49';
      build(shape: Any) {
        super.build(shape);
        this.setWeights(this.getWeights().map((w) => rl.fill(w.shape, 0.1)));
      }
    }
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Bidirectional', config: {
      name: 'b', merge_mode: 'concat', batch_input_shape: [null, 5, 3],
      layer: { class_name: 'RNN', config: { name: 'r', cell: { class_name: 'SimpleRNNCell', config: { units: 4 } } } } } }] } };
    const m = await rl.models.modelFromJSON({ modelTopology: topology } as never, { RNN: AsRNNR49 } as never);
    const b = m.layers[0] as Any;
    expect(b.forwardLayer).toBeInstanceOf(AsRNNR49);
    expect(b.backwardLayer).toBeInstanceOf(AsRNNR49);
    // The forward half of the concatenation [batch, 8]: a plain RNN copy would draw random weights instead.
    const forward = Array.from((m.predict(x()) as rl.Tensor).dataSync()).filter((_v, i) => i % 8 < 4);
    const ref = rl.layers.simpleRNN({ units: 4 });
    ref.apply(x());
    ref.setWeights(ref.getWeights().map((w) => rl.fill(w.shape, 0.1)));
    const want = Array.from((ref.apply(x()) as rl.Tensor).dataSync());
    forward.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('refuses an unregistered subclass, whose copies would be plain RNNs, naming the class', () => {
    class UnregisteredR49 extends rl.layers.RNN {}
    expect(() => rl.layers.bidirectional({ layer: new UnregisteredR49({ cell: simple() }) }))
      .toThrow(/copy of the wrapped \w+ \(class UnregisteredR49\) came back as RNN; .*registerClass\(UnregisteredR49\)/);
  });

  it('refuses a subclass overriding call(), which the copies would skip, as the layer itself refuses it', () => {
    class ScaledR49 extends rl.layers.RNN {
      static className = 'ScaledR49';
      call(inputs: Any, kwargs: Any) { return rl.mul(super.call(inputs, kwargs) as rl.Tensor, 2); }
    }
    rl.serialization.registerClass(ScaledR49 as Any);
    const layer = new ScaledR49({ cell: simple(), name: 'scaled' });
    expect(() => layer.apply(x())).toThrow(/overriding call\(\) is not supported/);
    expect(() => rl.layers.bidirectional({ layer })).toThrow(/the wrapped scaled \(ScaledR49\) overrides call\(\), which is not supported/);
  });
});
