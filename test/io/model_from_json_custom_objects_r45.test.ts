/**
 * rl.models.modelFromJSON(json, customObjects), as tfjs's: the map's layer classes are found by the name the JSON
 * gives them, ahead of the registered ones, for that call only (nothing is left registered afterwards).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerClass } from '../../src/layers/registry.js';
import type { Tensor } from '../../src/tensor.js';

/** y = 3x; never registered with rl.serialization.registerClass. */
class R45Tripler extends rl.layers.Layer {
  static override readonly className: string = 'R45Tripler';
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor): Tensor { return rl.mul(x, rl.scalar(3)); }
}

/** y = x + offset, rebuilt by tfjs's static fromConfig(cls, config). */
class R45Shift extends rl.layers.Layer {
  static override readonly className: string = 'R45Shift';
  offset: number;
  constructor(args: { offset?: number; name?: string } = {}) { super(args); this.offset = args.offset ?? 0; }
  computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
  call(x: Tensor): Tensor { return rl.add(x, rl.scalar(this.offset)); }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), offset: this.offset }; }
}

const ones = () => rl.tensor2d([[1, 2]]);
const values = (m: { predict(x: Tensor): unknown }) => Array.from((m.predict(ones()) as Tensor).dataSync());

function tripled(): rl.Sequential {
  return rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'identity', useBias: false }), new R45Tripler({})] });
}

describe('modelFromJSON customObjects', () => {
  it('builds an unregistered custom layer from the map, and leaves nothing registered after the call', async () => {
    const json = tripled().toJSON();
    const m = await rl.models.modelFromJSON(json, { R45Tripler });
    expect(m.layers[1]).toBeInstanceOf(R45Tripler);
    expect(values(m)).toEqual([3, 6]);
    expect(layerClass('R45Tripler')).toBeUndefined();
    await expect(rl.models.modelFromJSON(json)).rejects.toThrow(/unknown layer class 'R45Tripler'/);
  });

  it("takes tfjs's [class, fromConfig] pair, and a functional model's layers and a wrapped layer", async () => {
    const inp = rl.input({ shape: [3, 2] });
    const shifted = new R45Shift({ offset: 5 }).apply(inp) as rl.SymbolicTensor;
    const out = rl.layers.timeDistributed({ layer: new R45Tripler({}) }).apply(shifted) as rl.SymbolicTensor;
    const json = rl.model({ inputs: inp, outputs: out }).toJSON();
    let calls = 0;
    const fromConfig = (cls: typeof R45Shift, config: Record<string, unknown>) => { calls++; return new cls(config as never); };
    const m = await rl.models.modelFromJSON(json, { R45Shift: [R45Shift, fromConfig], R45Tripler });
    expect(calls).toBe(1);
    expect(Array.from((m.predict(rl.zeros([1, 3, 2])) as Tensor).dataSync())).toEqual(Array(6).fill(15));
  });

  it('a map entry comes before a class registered under the same name', async () => {
    class R45Registered extends rl.layers.Layer {
      static override readonly className: string = 'R45Registered';
      computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
      call(x: Tensor): Tensor { return x; }
    }
    rl.serialization.registerClass(R45Registered);
    const json = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'identity', useBias: false }), new R45Registered({})] }).toJSON();
    expect(values(await rl.models.modelFromJSON(json))).toEqual([1, 2]);
    expect(values(await rl.models.modelFromJSON(json, { R45Registered: R45Tripler }))).toEqual([3, 6]);
    expect(values(await rl.models.modelFromJSON(json))).toEqual([1, 2]);
  });

  it('a loaded model saves and loads again through the same map', async () => {
    const m = await rl.models.modelFromJSON(tripled().toJSON(), { R45Tripler });
    const again = await rl.models.modelFromJSON(m.toJSON(), { R45Tripler });
    expect(values(again)).toEqual([3, 6]);
  });

  it('refuses what is not a layer class, naming the entry', async () => {
    const json = tripled().toJSON();
    class R45Init extends rl.Initializer {
      static readonly className: string = 'R45Init';
      apply(shape: number[]): Tensor { return rl.zeros(shape); }
    }
    await expect(rl.models.modelFromJSON(json, 'x' as never)).rejects.toThrow(/^modelFromJSON: customObjects must be an object \{className: LayerClass\}, got the string "x"$/);
    await expect(rl.models.modelFromJSON(json, [R45Tripler] as never)).rejects.toThrow(/customObjects must be an object/);
    await expect(rl.models.modelFromJSON(json, { R45Tripler: () => 1 } as never)).rejects.toThrow(/modelFromJSON: customObjects\.R45Tripler must be a subclass of rl\.layers\.Layer/);
    await expect(rl.models.modelFromJSON(json, { R45Init } as never)).rejects.toThrow(/customObjects\.R45Init is an rl\.Initializer subclass; customObjects holds layer classes only: register it once with rl\.serialization\.registerClass\(R45Init\)/);
    class NoName extends rl.layers.Layer { call(x: Tensor): Tensor { return x; } }
    await expect(rl.models.modelFromJSON(json, { R45Tripler: NoName })).rejects.toThrow(/customObjects\.R45Tripler: NoName needs its own static className/);
    await expect(rl.models.modelFromJSON(json, { R45Tripler: [R45Tripler, 7] } as never)).rejects.toThrow(/the pair's second entry must be the class's fromConfig function, got number 7/);
  });

  it('an empty map, or none, asks for nothing', async () => {
    const json = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] }).toJSON();
    for (const none of [{}, undefined, null]) expect((await rl.models.modelFromJSON(json, none as never)).layers).toHaveLength(1);
  });
});

describe('customObjects: a class named like a built-in', () => {
  /** Named 'Dense', it would save as the built-in Dense and load back as one, silently. */
  class R45ZeroDense extends rl.layerClasses.Dense {
    static override readonly className: string = 'Dense';
    override call(x: Tensor, kwargs: never): Tensor { return rl.mul(super.call(x, kwargs) as Tensor, rl.scalar(0)); }
  }

  it('is refused as registerClass refuses it; the built-in class itself, or a key alone naming a built-in, is not', async () => {
    const json = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'identity', useBias: false })] }).toJSON();
    const words = "'Dense' is the name of rnnlab's built-in Dense layer, which saved models load as; give R45ZeroDense another static className";
    await expect(rl.models.modelFromJSON(json, { Dense: R45ZeroDense })).rejects.toThrow(`modelFromJSON: customObjects.Dense: ${words}`);
    expect(() => rl.serialization.registerClass(R45ZeroDense)).toThrow(`serialization.registerClass(R45ZeroDense): ${words}`);
    expect(values(await rl.models.modelFromJSON(json, { Dense: rl.layerClasses.Dense }))).toEqual([1, 2]);
    // The key names the file's class; the class keeps its own name, so a save writes R45Tripler, not Dense.
    const m = await rl.models.modelFromJSON(json, { Dense: R45Tripler });
    expect(values(m)).toEqual([3, 6]);
    expect(JSON.parse(m.toJSON() as string).config.layers.map((l: { class_name: string }) => l.class_name)).toContain('R45Tripler');
  });
});

describe("the models' static fromConfig takes tfjs's customObjects", () => {
  it('Sequential.fromConfig(cls, config, customObjects) and Functional.fromConfig build the map\'s class', () => {
    const seqConfig = tripled().getConfig();
    const seq = rl.Sequential.fromConfig(rl.Sequential, seqConfig, { R45Tripler });
    expect(seq.layers[1]).toBeInstanceOf(R45Tripler);
    expect(values(seq)).toEqual([3, 6]);
    expect(() => rl.Sequential.fromConfig(rl.Sequential, seqConfig)).toThrow(/unknown layer class 'R45Tripler'/);
    expect(() => rl.Sequential.fromConfig(rl.Sequential, seqConfig, 'x')).toThrow(/^Sequential\.fromConfig: customObjects must be an object/);

    const input = rl.input({ shape: [2] });
    const output = new R45Tripler({}).apply(rl.layers.dense({ units: 2, kernelInitializer: 'identity', useBias: false }).apply(input) as never);
    const fnConfig = rl.model({ inputs: input, outputs: output as never }).getConfig();
    const fn = rl.Functional.fromConfig(rl.Functional, fnConfig, { R45Tripler });
    expect(values(fn)).toEqual([3, 6]);
    expect(layerClass('R45Tripler')).toBeUndefined();
    expect(() => rl.Functional.fromConfig(rl.Functional, fnConfig, { R45Tripler: 1 })).toThrow(/^Functional\.fromConfig: customObjects\.R45Tripler must be a subclass of rl\.layers\.Layer/);
  });
});
