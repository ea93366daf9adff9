/**
 * The dashboard's result views in Chromium, on runs it trained itself: the job list rebuilt after a restart,
 * chart tools (hover and keyboard values, legends that wrap, dash patterns, smoothing, the wall-clock axis, CSV),
 * a classifier's confusion matrix and misclassified reviews, the adder's answers and weight histograms per epoch, the embedding
 * projector, the sweep's workers, and a seq2seq run's accuracies and attention heatmap. One server (restarted once) and one browser serve the whole file; every
 * number on screen is compared with the run's results.json.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { envPath } from '../../src/env.js';
import { describeInChromium, launchChromium, type Chromium } from '../helpers/browser.js';
import type { RunRecord } from '../../src/report/record.js';
import { startDashboard, type Dashboard } from '../../src/server/index.js';
import { finished, imdbDataPath, post, REPO_ROOT, startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { writeSmallSweep } from '../server/sweep_fixture.js';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { main } from '../../src/cli/main.js';

const hasImdb = imdbDataPath() !== undefined;
const LONG_NAME = 'imdb-lstm-with-a-deliberately-long-name-to-wrap-in-the-legend';

let first: TestServer;
let server: Dashboard;
let base: string;
let runsDir: string;
let browser: Chromium | undefined;
let page: Page;
const pageErrors: string[] = [];
const runIds: Record<'imdb' | 'addition', string> = { imdb: '', addition: '' };

/** Screenshots for docs/screenshots when RNNLAB_SCREENSHOT_DIR names a folder (as in dashboard.test.ts). */
async function shot(name: string): Promise<void> {
  const dir = envPath('RNNLAB_SCREENSHOT_DIR');
  if (dir) await page.screenshot({ path: join(resolve(REPO_ROOT, dir), `${name}.png`), fullPage: true });
}

async function cli(args: string[]): Promise<void> {
  let err = '';
  const code = await main(args, { out: { write: () => undefined }, err: { write: (t: string) => (err += t) } });
  expect(code, err).toBe(0);
}

const record = (id: string): RunRecord => JSON.parse(readFileSync(join(runsDir, id, 'results.json'), 'utf8'));

async function train(body: Record<string, unknown>): Promise<string> {
  const r = await post(first.base, '/api/jobs', body);
  expect(r.status, r.text).toBe(202);
  const done = await finished(first.base, r.body.job.id, 180000);
  expect(done.status, done.error ?? '').toBe('completed');
  return done.runId;
}

/** Chart.js's view of a canvas: each dataset's label, points and pixel positions. */
interface ShownSet { label: string; dash: number[]; pointStyle: string; data: { x: number; y: number }[]; pixels: number[]; xTitle: string }
function datasets(selector: string): Promise<ShownSet[]> {
  return page.evaluate((sel) => {
    const C = (window as unknown as { Chart: { getChart(c: Element): any } }).Chart; // eslint-disable-line @typescript-eslint/no-explicit-any
    const chart = C.getChart(document.querySelector(sel)!);
    return chart.data.datasets.map((d: any, i: number) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
      label: d.label as string, dash: (d.borderDash ?? []) as number[], pointStyle: d.pointStyle as string,
      data: d.data.map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })) as { x: number; y: number }[],
      pixels: chart.getDatasetMeta(i).data.map((e: { y: number }) => e.y) as number[],
      xTitle: chart.options.scales.x.title.text as string,
    }));
  }, selector);
}

describeInChromium('dashboard result views in Chromium', () => {
  beforeAll(async () => {
    first = await startTestServer();
    runsDir = first.runsDir;
    runIds.imdb = await train({ task: 'imdb', model: 'lstm', limit: 300, epochs: 3, maxlen: 40, units: 8, embeddingDim: 8, batchSize: 32, name: LONG_NAME });
    runIds.addition = await train({ task: 'addition', digits: 2, trainingSize: 1500, hidden: 16, epochs: 3, batchSize: 64, reverse: true, name: 'adder' });
    await writeSmallSweep(runsDir, 'worker-sweep', tempDir('rnnlab-sweep-data-'));
    // A three-class text classifier trained and evaluated by the CLI: its records carry the confusion matrix too.
    const texts = tempDir('rnnlab-text-');
    const trainCsv = writeCsv(texts, 'train.csv', topicTexts(60, 1)), testCsv = writeCsv(texts, 'test.csv', topicTexts(15, 2));
    await cli(['train', '--data', trainCsv, '--units', '8', '--embedding-dim', '8', '--epochs', '3', '--batch-size', '16', '--maxlen', '30', '--out', join(runsDir, 'text-train')]);
    await cli(['evaluate', '--model', join(runsDir, 'text-train'), '--data', testCsv, '--worst', '10', '--out', join(runsDir, 'text-eval')]);
    // `rnnlab compare` of two models: one confusion matrix per model.
    await cli(['compare', '--models', 'lstm,cnn', '--limit', '100', '--epochs', '1', '--maxlen', '30', '--vocab', '500', '--embedding-dim', '4', '--units', '4',
      '--data', imdbDataPath()!, '--verbose', '0', '--out', join(runsDir, 'cmp')]);
    // A seq2seq run (copy a short string; a second, so the first sample's attention matrix is several tokens each way).
    const pairs = join(texts, 'pairs.tsv');
    writeFileSync(pairs, Array.from({ length: 120 }, (_, i) => { const w = ['abc', 'bca', 'cab', 'acb'][i % 4] + ['x', 'yz'][i % 2]; return `${w}\t${w}`; }).join('\n') + '\n');
    await cli(['seq2seq', '--data', pairs, '--units', '12', '--embedding-dim', '6', '--epochs', '2', '--batch-size', '16', '--beam', '2', '--samples', '2',
      '--verbose', '0', '--out', join(runsDir, 's2s')]);
    // A job whose server died mid-run leaves a record that still says "running": made from the finished adder's.
    const crashed = join(runsDir, `${runIds.addition}-crashed`);
    cpSync(join(runsDir, runIds.addition), crashed, { recursive: true });
    const r = record(runIds.addition);
    writeFileSync(join(crashed, 'results.json'), JSON.stringify({ ...r, runName: 'adder-crashed', status: 'running', pid: process.pid, finishedAt: null }, null, 2));
    // The restart: a new server on the same runs folder knows no job but what the folders say.
    const port = Number(new URL(first.base).port);
    await first.d.close();
    server = await startDashboard({ port, runsDir, dataPath: imdbDataPath() });
    base = first.base;
    browser = await launchChromium({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
    page = browser.page;
    page.setDefaultTimeout(60000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]');
  }, 400000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rebuilds the job list from the run folders after a restart', async () => {
    await page.click('#tab-train');
    await page.waitForSelector('#jobs li[data-status="interrupted"]');
    const items = await page.$$eval('#jobs li', (ls) => ls.map((l) => [l.querySelector('.job-name')!.textContent!.trim(), l.getAttribute('data-status')]));
    expect(items).toEqual(expect.arrayContaining([[LONG_NAME, 'completed'], ['adder', 'completed'], ['adder-crashed', 'interrupted']]));
    expect(items.length).toBe(3);
    // A finished job shows its results; its epochs come back as the curve's points.
    await page.click(`#jobs li:has-text("${LONG_NAME}")`);
    const acc = record(runIds.imdb).metrics.testAccuracy as number;
    expect(await page.textContent(`#jobs li:has-text("${LONG_NAME}") .job-phase`)).toContain(`${(acc * 100).toFixed(2)}%`);
    // The page fetches a job's epochs when it is shown (the job list carries summaries).
    await page.waitForFunction(() => document.querySelector('#live-epochs')?.getAttribute('data-count') === '3');
  });

  it('shows the adder\'s answers after every epoch, as in its record (✓/✗)', async () => {
    // Live training: the rebuilt job's epochs carry their answers.
    await page.click('#jobs li[data-status="completed"]:has-text("adder")');
    await page.waitForSelector('#live-samples:not([hidden])');
    const answers = record(runIds.addition).details!.samplesPerEpoch as { correct: boolean; guess: string }[][];
    // Row by row: each question's answer after epochs 1, 2 and 3.
    const expected = answers[0].flatMap((_, i) => answers.map((epoch) => `${epoch[i].guess} ${epoch[i].correct ? '✓' : '✗'}`));
    expect(await page.$$eval('#live-samples-table td.sample', (tds) => tds.map((t) => t.textContent))).toEqual(expected);
    await page.click('#tab-runs');
    await page.click(`button[aria-label="details of ${runIds.addition}"]`);
    await page.waitForSelector('#run-samples-box:not([hidden])');
    const per = record(runIds.addition).details!.samplesPerEpoch as { correct: boolean; guess: string }[][];
    expect(per.length).toBe(3);
    for (let e = 0; e < 3; e++) {
      const cells = await page.$$eval(`#run-samples td.sample[data-epoch="${e + 1}"]`, (tds) => tds.map((t) => [t.textContent, t.getAttribute('data-correct')]));
      expect(cells).toEqual(per[e].map((s) => [`${s.guess} ${s.correct ? '✓' : '✗'}`, String(s.correct)]));
    }
    // The last epoch's answers are the record's final samples.
    expect(per[2]).toEqual(record(runIds.addition).samples);
  });

  it('draws every weight\'s value and gradient histograms per epoch, live and in the run details, as in its record', async () => {
    type Hist = { min: number; max: number; counts: number[] };
    const per = record(runIds.addition).details!.histograms as { epoch: number; weights: { name: string; shape: number[]; values: Hist; gradients: Hist | null }[] }[];
    expect(per.map((h) => h.epoch)).toEqual([1, 2, 3]);
    const last = per[2].weights;
    for (const w of last) expect(w.values.counts.reduce((a, b) => a + b, 0)).toBe(w.shape.reduce((a, b) => a * b, 1));
    // Each bar's <title> ends with its count; the weights in the record's order.
    const shown = (root: string) => page.$$eval(`${root} .hist-weight`, (ws) => ws.map((w) => ({
      name: w.getAttribute('data-weight'),
      values: [...w.querySelectorAll('.hist-values title')].map((t) => Number(t.textContent!.split(': ').pop())),
      gradients: [...w.querySelectorAll('.hist-gradients title')].map((t) => Number(t.textContent!.split(': ').pop())),
    })));
    const expected = (e: number) => per[e].weights.map((w) => ({ name: w.name, values: w.values.counts, gradients: w.gradients?.counts ?? [] }));
    await page.click('#tab-train');
    await page.click('#jobs li[data-status="completed"]:has-text("adder")');
    await page.waitForSelector('#live-histograms:not([hidden]) .hist-bar');
    expect(await page.getAttribute('#live-histograms .histograms', 'data-epoch')).toBe('3');
    expect(await shown('#live-histograms')).toEqual(expected(2));
    expect(last.every((w) => w.gradients !== null)).toBe(true);
    await page.fill('#live-histograms .hist-slider', '0');
    expect(await page.getAttribute('#live-histograms .histograms', 'data-epoch')).toBe('1');
    expect(await shown('#live-histograms')).toEqual(expected(0));
    await page.click('#tab-runs');
    await page.click(`button[aria-label="details of ${runIds.addition}"]`);
    await page.waitForSelector('#run-histograms:not([hidden]) .hist-bar');
    expect(await shown('#run-histograms')).toEqual(expected(2));
  });

  it('shows the confusion matrix and the misclassified reviews of an IMDb run, equal to its record', async () => {
    await page.click(`button[aria-label="details of ${runIds.imdb}"]`);
    await page.waitForSelector('#run-confusion-box:not([hidden])');
    const r = record(runIds.imdb);
    const confusion = r.details!.confusion as number[][];
    const shown = await page.$$eval('#run-confusion td[data-count]', (tds) => tds.map((t) => Number(t.getAttribute('data-count'))));
    expect(shown).toEqual(confusion.flat());
    const n = (r.data as { nTest: number }).nTest;
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(n);
    // The matrix's diagonal is the test accuracy the run reports.
    expect((confusion[0][0] + confusion[1][1]) / n).toBeCloseTo(r.metrics.testAccuracy as number, 6);
    const wrong = r.details!.misclassified as { text: string; label: string; predicted: string; trueProbability: number }[];
    expect(wrong.length).toBe(Math.min(20, confusion[0][1] + confusion[1][0]));
    const items = await page.$$eval('#run-misclassified li', (ls) => ls.map((l) => ({ label: l.getAttribute('data-label'), predicted: l.getAttribute('data-predicted'), text: l.querySelector('.review')!.textContent })));
    expect(items).toEqual(wrong.map((w) => ({ label: w.label, predicted: w.predicted, text: w.text })));
    for (const w of wrong) expect(w.trueProbability).toBeLessThan(0.5);
    await shot('run-details');
  });

  it('shows the confusion matrix of `rnnlab train` and `rnnlab evaluate` records, and the evaluated examples it got wrong', async () => {
    await page.click('#tab-runs');
    for (const id of ['text-train', 'text-eval']) {
      await page.click(`button[aria-label="details of ${id}"]`);
      await page.waitForSelector(`#run-detail[data-run="${id}"] #run-confusion-box:not([hidden])`);
      const r = record(id);
      const classes = (r.data as { classes: string[] }).classes;
      expect(classes.length).toBe(3);
      const cells = await page.$$eval('#run-confusion td[data-count]', (tds) => tds.map((t) => [t.getAttribute('data-true'), t.getAttribute('data-predicted'), Number(t.getAttribute('data-count'))]));
      expect(cells).toEqual((r.details!.confusion as number[][]).flatMap((row, t) => row.map((n, p) => [classes[t], classes[p], n])));
    }
    const worst = (record('text-eval').details!.worst as { label: string; predicted: string; text: string }[]).filter((w) => w.label !== w.predicted);
    const items = await page.$$eval('#run-misclassified li', (ls) => ls.map((l) => [l.getAttribute('data-label'), l.getAttribute('data-predicted'), l.querySelector('.review')!.textContent]));
    expect(items).toEqual(worst.map((w) => [w.label, w.predicted, w.text]));
  });

  it('shows one confusion matrix per model of a `rnnlab compare` record', async () => {
    await page.click('button[aria-label="details of cmp"]');
    await page.waitForSelector('#run-detail[data-run="cmp"] #run-confusion-box:not([hidden])');
    const d = record('cmp').details as { classes: string[]; confusionByModel: Record<string, number[][]> };
    const shown = await page.$$eval('#run-confusion .confusion-of', (ds) => ds.map((x) => [x.getAttribute('data-model'), x.querySelector('h4')!.textContent,
      [...x.querySelectorAll('td[data-count]')].map((t) => Number(t.getAttribute('data-count')))]));
    expect(shown).toEqual(['lstm', 'cnn'].map((m) => [m, m, d.confusionByModel[m].flat()]));
    expect(d.classes).toEqual(['negative', 'positive']);
  });

  it('draws train solid with circles and validation dashed with triangles, in a legend that wraps instead of clipping', async () => {
    await page.click(`#runs-table tr[data-run="${runIds.imdb}"] input[type="checkbox"]`);
    for (const id of Object.values(runIds)) {
      const box = `#runs-table tr[data-run="${id}"] input[type="checkbox"]`;
      if (!(await page.isChecked(box))) await page.check(box);
    }
    await page.setViewportSize({ width: 420, height: 900 });
    // Ticking fetches the run's curves, then redraws.
    await page.waitForFunction((names) => {
      const text = document.querySelector('#runs-loss')!.closest('.chart-wrap')!.querySelector('.chart-legend')!.textContent!;
      return names.every((n) => text.includes(n));
    }, [`${LONG_NAME} validation`, 'adder validation']);
    const sets = await datasets('#runs-loss');
    const train = sets.filter((s) => s.label.endsWith(' train')), val = sets.filter((s) => s.label.endsWith(' validation'));
    expect(train.length).toBeGreaterThan(0);
    expect(val.length).toBeGreaterThan(0);
    for (const s of train) expect([s.dash, s.pointStyle]).toEqual([[], 'circle']);
    for (const s of val) expect([s.dash, s.pointStyle]).toEqual([[6, 4], 'triangle']);
    const legend = await page.$$eval('#runs-loss', ([c]) => {
      const wrap = c.closest('.chart-wrap')!;
      const list = wrap.querySelector('.chart-legend')!.getBoundingClientRect();
      const card = c.closest('.card')!.getBoundingClientRect();
      return { list: [list.left, list.right], card: [card.left, card.right], items: [...wrap.querySelectorAll('.legend-item')].map((b) => {
        const r = b.getBoundingClientRect(), span = b.querySelector('span')!;
        return { text: span.textContent, dash: b.getAttribute('data-dash'), marker: b.getAttribute('data-marker'), left: r.left, right: r.right, clipped: span.scrollWidth > span.clientWidth + 1,
          svgDash: b.querySelector('line')?.getAttribute('stroke-dasharray') ?? null };
      }) };
    });
    expect(legend.items.map((i) => i.text)).toEqual(sets.map((s) => s.label));
    expect(legend.items.some((i) => i.text!.includes(LONG_NAME))).toBe(true);
    expect(legend.list[0]).toBeGreaterThanOrEqual(legend.card[0]);
    expect(legend.list[1]).toBeLessThanOrEqual(legend.card[1]);
    for (const i of legend.items) {
      expect(i.left).toBeGreaterThanOrEqual(legend.list[0] - 0.5);
      expect(i.right).toBeLessThanOrEqual(legend.list[1] + 0.5);
      expect(i.clipped).toBe(false);
      expect([i.dash, i.marker, i.svgDash]).toEqual(i.text!.endsWith('validation') ? ['6 4', 'triangle', '6 4'] : ['solid', 'circle', null]);
    }
    await shot('legend-phone');
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  it('smooths curves with the EMA slider, switches to a wall-clock axis, and exports the data as CSV', async () => {
    const tools = '#runs-loss >> xpath=ancestor::div[contains(@class,"chart-wrap")]';
    const before = await datasets('#runs-loss');
    const imdbTrain = before.findIndex((s) => s.label === `${LONG_NAME} train`);
    const loss = record(runIds.imdb).models[0].history.loss as number[];
    expect(before[imdbTrain].data.map((p) => p.y)).toEqual(loss);
    await page.locator(`${tools} >> input.smoothing`).fill('0.9');
    const after = await datasets('#runs-loss');
    // Debiased EMA with weight 0.9: the first point stays, the later ones move toward it.
    const s1 = (0.9 * 0.1 * loss[0] + 0.1 * loss[1]) / (1 - 0.81);
    expect(after[imdbTrain].data[0].y).toBeCloseTo(loss[0], 6);
    expect(after[imdbTrain].data[1].y).toBeCloseTo(s1, 6);
    expect(after[imdbTrain].pixels[1]).not.toBeCloseTo(before[imdbTrain].pixels[1], 1);

    await page.locator(`${tools} >> select.xmode`).selectOption('time');
    const timed = await datasets('#runs-loss');
    const secs = record(runIds.imdb).models[0].secondsPerEpoch as number[];
    expect(timed[imdbTrain].xTitle).toMatch(/wall-clock/);
    expect(timed[imdbTrain].data.map((p) => p.x)).toEqual(secs.map((_, i) => secs.slice(0, i + 1).reduce((a, b) => a + b, 0)));

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`${tools} >> button.csv`).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('series,epoch,wall_clock_seconds,loss (cross-entropy),smoothed (EMA 0.9)');
    const rows = csv.slice(1).map((l) => l.split(',')).filter((c) => c[0] === `${LONG_NAME} train`);
    expect(rows.map((c) => Number(c[3]))).toEqual(loss);
    expect(rows.map((c) => Number(c[1]))).toEqual([1, 2, 3]);
    expect(Number(rows[1][4])).toBeCloseTo(s1, 6);
    await shot('chart-tools');
    await page.locator(`${tools} >> input.smoothing`).fill('0');
    await page.locator(`${tools} >> select.xmode`).selectOption('step');
  });

  it('gives heatmap cells and per-word values on hover and by keyboard focus', async () => {
    await page.click('#tab-try');
    await page.selectOption('#sentiment-model', runIds.imdb);
    await page.click('#sentiment-go');
    await page.waitForSelector('#heat-strip .tok[data-p]');
    const firstWord = page.locator('#heat-strip .tok[data-p]').first();
    await firstWord.focus();
    expect(await page.textContent('#heat-strip-value')).toBe(await firstWord.getAttribute('title'));
    expect(await firstWord.getAttribute('title')).toMatch(/P\(positive\) = \d\.\d{3}$/);

    await page.click('#tab-inside');
    await page.selectOption('#states-model', runIds.imdb);
    await page.fill('#states-input', 'a wonderful film with great acting');
    await page.click('#states-go');
    const map = page.locator('#states-maps .map[data-kind="hidden"]');
    await map.waitFor();
    const canvas = map.locator('canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    expect(await map.locator('.hover').textContent()).toMatch(/unit \d+: -?\d\.\d{3}$/);
    expect(await canvas.getAttribute('title')).toBe(await map.locator('.hover').textContent());
    await canvas.focus();
    expect(await map.getAttribute('data-cell')).toBe(`0,${Number(await map.getAttribute('data-rows')) - 1}`);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const rows = Number(await map.getAttribute('data-rows'));
    expect(await map.getAttribute('data-cell')).toBe(`1,${rows - 2}`);
    const states = await (await post(base, '/api/inspect/states', { model: runIds.imdb, text: 'a wonderful film with great acting' })).body;
    const v = states.layers[0].hidden[1][rows - 2] as number;
    expect(await map.locator('.hover').textContent()).toContain(`unit ${rows - 2}: ${v.toFixed(3)}`);
  });

  it('projects the word vectors to 2-D with one point per word asked for, and highlights a search', async () => {
    await page.selectOption('#proj-model', runIds.imdb);
    await page.fill('#proj-words', '60');
    await page.fill('#proj-search', '');
    await page.click('#proj-go');
    await page.waitForSelector('#proj-chart[data-points="60"]');
    const api = (await post(base, '/api/inspect/embedding', { model: runIds.imdb, words: 60 })).body;
    const sets = await datasets('#proj-chart');
    expect(sets[0].data.length).toBe(60);
    expect(sets[0].data).toEqual(api.points.map(([x, y]: [number, number]) => ({ x, y })));
    expect(api.words.slice(0, 3)).toEqual(['the', 'and', 'a']);
    await page.fill('#proj-search', 'the');
    expect((await page.getAttribute('#proj-chart', 'data-marked'))!.split(' ')).toEqual(api.words.filter((w: string) => w.startsWith('the')));
    await page.click('#proj-go');
    await page.waitForSelector('#proj-neighbours .neighbour');
    const near = await page.$$eval('#proj-neighbours .neighbour', (ns) => ns.map((n) => n.getAttribute('data-word')));
    const withQuery = (await post(base, '/api/inspect/embedding', { model: runIds.imdb, words: 60, query: 'the' })).body;
    expect(near).toEqual(withQuery.neighbours.map((n: { word: string }) => n.word));
    expect(near.length).toBe(10);
    const marked = await datasets('#proj-chart');
    const theIdx = api.words.flatMap((w: string, i: number) => (w.startsWith('the') ? [i] : []));
    expect(marked[1].data).toEqual(theIdx.map((i: number) => ({ x: api.points[i][0], y: api.points[i][1] })));
    expect(marked[2].data.length).toBe(10);
    await shot('projector');
  });

  it('lists a seq2seq run with its exact match, and shows its accuracies and its attention heatmap (hover and keyboard)', async () => {
    await page.click('#tab-runs');
    await page.click('#runs-refresh');
    const r = record('s2s');
    const m = r.metrics as Record<string, number>;
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    await page.waitForSelector('#runs-table tr[data-run="s2s"]');
    expect(await page.textContent('#runs-table tr[data-run="s2s"] td[data-col="exact"]')).toBe(pct(m.validationExact));
    expect(await page.textContent('#runs-table tr[data-run="s2s"] td.settings')).toContain('attention=luong');
    await page.click('button[aria-label="details of s2s"]');
    await page.waitForSelector('#run-detail[data-run="s2s"] #run-attention-box:not([hidden])');
    expect(await page.isHidden('#run-detail-empty')).toBe(true);
    const scores = await page.$$eval('#run-seq2seq-scores tbody tr', (trs) => trs.map((t) => [t.getAttribute('data-decoding'), t.querySelector('[data-col="per-token"]')!.textContent, t.querySelector('[data-col="exact"]')!.textContent]));
    expect(scores).toEqual([['greedy', pct(m.validationPerToken), pct(m.validationExact)], ['beam 2', pct(m.beamPerToken), pct(m.beamExact)]]);
    const a = r.details!.attention as { source: string[]; output: string[]; weights: number[][] };
    const map = page.locator('#run-attention .map[data-kind="attention"]');
    expect([await map.getAttribute('data-cols'), await map.getAttribute('data-rows')]).toEqual([String(a.source.length), String(a.output.length)]);
    const canvas = map.locator('canvas');
    // Focus starts on the top-left cell: the first output token's weight on the first source token.
    await canvas.focus();
    const hover = () => map.locator('.hover').textContent();
    expect(await hover()).toBe(`source token 1 "${a.source[0]}", output token "${a.output[0]}": ${a.weights[0][0].toFixed(3)}`);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(await hover()).toBe(`source token 2 "${a.source[1]}", output token "${a.output[1]}": ${a.weights[1][1].toFixed(3)}`);
    const box = (await canvas.boundingBox())!;
    await canvas.blur();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    expect(await hover()).toMatch(/^source token \d+ ".*", output token ".*": \d\.\d{3}$/);
    await shot('seq2seq-attention');
  });

  it('shows which worker ran each sweep run, and the workers', async () => {
    await page.click('#tab-sweeps');
    await page.click('button[aria-label="open sweep worker-sweep"]');
    await page.waitForSelector('#sweep-workers tbody tr');
    const head = await page.$$eval('#sweep-runs thead th', (ths) => ths.map((t) => t.textContent));
    const col = head.indexOf('worker');
    expect(col).toBeGreaterThan(0);
    const rows = await page.$$eval('#sweep-runs tbody tr', (trs, c) => trs.map((t) => [t.children[0].textContent, t.children[c as number].textContent]), col);
    expect(rows.length).toBe(2);
    for (const [id, worker] of rows) {
      const stamp = JSON.parse(readFileSync(join(runsDir, 'worker-sweep', 'runs', id!, 'worker.json'), 'utf8'));
      expect(worker).toBe(stamp.worker);
      expect(stamp.state).toBe('completed');
    }
    const workers = await page.$$eval('#sweep-workers tbody tr', (trs) => trs.map((t) => [t.getAttribute('data-worker'), t.children[3].textContent]));
    expect(workers.reduce((n, [, done]) => n + Number(done), 0)).toBe(2);
    expect(new Set(workers.map(([w]) => w))).toEqual(new Set(rows.map(([, w]) => w)));
    await shot('sweep-workers');
  });

  it('raised no script error', () => {
    expect(pageErrors).toEqual([]);
  });
}, { skip: !hasImdb, reason: 'no IMDb tarball (see RNNLAB_DATA in docs/ENVIRONMENT.md): these views are shown on IMDb runs' });
