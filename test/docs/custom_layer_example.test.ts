/**
 * docs/API.md's "Custom layers" example, taken from the doc as written: it typechecks as strict TypeScript against
 * the package's public types (with `import 'rnnlab'` resolved to src/index.ts), and the JavaScript tsc makes of it
 * registers a layer that trains, saves and loads back as itself.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { REPO_ROOT } from '../helpers/imdb.js';
import { strictDiagnostics } from '../helpers/strict_ts.js';

const EXAMPLE_FILE = 'test/docs/__custom_layer_example.mts';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-custom-layer-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first ```ts block after the "### Custom layers" heading. */
function example(): string {
  const api = readFileSync(path.join(REPO_ROOT, 'docs', 'API.md'), 'utf8');
  const at = api.indexOf('### Custom layers');
  expect(at).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(api.slice(at));
  expect(block, 'a ```ts block under ### Custom layers').not.toBeNull();
  return block![1];
}

type GatedClass = Parameters<typeof rl.serialization.registerClass>[0] & (new (args: { units: number }) => rl.layerClasses.Layer);

describe('docs/API.md: the custom layer example', () => {
  it('typechecks as strict TypeScript against the public types', () => {
    expect(strictDiagnostics(example(), EXAMPLE_FILE)).toEqual([]);
  }, 120_000);

  it('runs: the layer registers, trains, and a saved model loads back with it', async () => {
    const js = ts.transpileModule(example(), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const body = js.replace(/^import \* as rl from 'rnnlab';$/m, '');
    expect(body).not.toMatch(/^import /m);
    const Gated = new Function('rl', `${body}\nreturn Gated;`)(rl) as GatedClass;
    expect(rl.serialization.registerClass(Gated)).toBe(Gated);

    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputShape: [3] }), new Gated({ units: 2 }), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = rl.randomNormal([8, 3]), y = rl.randomNormal([8, 1]);
    const h = await m.fit(x, y, { epochs: 3, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[2]).toBeLessThan(loss[0]);
    expect(m.layers[1].getWeights().map((w) => w.shape)).toEqual([[4, 2]]);

    await m.save(`file://${dir}`);
    const back = await rl.loadModel(`file://${dir}`);
    expect(back.layers[1]).toBeInstanceOf(Gated);
    expect(back.layers[1].getConfig()).toMatchObject({ units: 2 });
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
    // computeOutputShape: the last axis becomes `units`, the others stay.
    expect((new Gated({ units: 5 }).apply(rl.ones([2, 7, 3])) as rl.Tensor).shape).toEqual([2, 7, 5]);
  });
});
