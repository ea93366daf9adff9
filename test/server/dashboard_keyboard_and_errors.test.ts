/**
 * The dashboard for a keyboard user and after a refusal, in Chromium: focus on a running job's Cancel button survives
 * the progress updates, so Enter cancels the job (the list used to be rebuilt on every update, dropping focus); a
 * refused request hides the answer to the previous input instead of leaving it beside the error; the server's refusal
 * of a training field is shown beside that field; "Train demo models" describes the demo jobs the server queues; and
 * the Try-it view's "train the demo models" shows the server's refusal (a full queue's 429) instead of only logging it.
 */
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { finished, get, PAUSE_MS, post, SMALL_SUM, until } from './helpers.js';

/** The demo's adder as this server is told to queue it: other numbers than DEMO_JOBS, so the tooltip must read them. */
const DEMO_ADDER = { digits: 2, trainingSize: 400, hidden: 8, epochs: 3, reverse: false };

const field = (name: string) => `fieldset[data-task="addition"] [name="${name}"]`;

describeInChromium('the dashboard for keyboard users and after refused requests', () => {
  // A pause after each batch keeps the long job running while the page updates its progress.
  const dash = dashboardSession({ hash: '#train', server: { batchDelayMs: 40, demoJobs: { addition: DEMO_ADDER } }, timeoutMs: 60_000 });

  /** The focused element, described by what identifies it in the jobs list or the form. */
  const focused = () => dash.page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return { tag: a?.tagName, role: a?.getAttribute('role') ?? null, job: a?.closest('li')?.dataset.job ?? null, action: a?.dataset.action ?? null, name: a?.getAttribute('name') ?? null };
  });

  it('describes the demo jobs the server queues in the button\'s tooltip', async () => {
    const config = (await get(dash.server.base, '/api/config')).body;
    const title = await dash.page.getAttribute('#train-demo', 'title');
    expect(title).toContain('an addition model (2-digit sums, 400 questions, 8 hidden units, 3 epochs, batch 64, learning rate 0.003)');
    // The IMDb demo is queued (and described) only where the server has the IMDb data.
    if (config.imdbData.available) expect(title).toContain(`${config.demo.imdb.limit.toLocaleString('en-US')} reviews per split, ${config.demo.imdb.epochs} epochs, maxlen ${config.demo.imdb.maxlen}`);
    else expect(title).not.toContain('IMDb');
    expect(title).toMatch(/: about a minute on two cores, longer on one$/);
  });

  it('offers the optimizers the server accepts (adamw included)', async () => {
    const config = (await get(dash.server.base, '/api/config')).body;
    const options = await dash.page.$$eval('#train-form select[name="optimizer"] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(config.optimizers);
    expect(options).toContain('adamw');
  });

  it('shows the server\'s refusal of the training size beside that field, and clears it once the form is right', async () => {
    await dash.page.selectOption('#f-task', 'addition');
    await dash.page.fill('#f-name', 'adder');
    for (const [name, value] of [['digits', '1'], ['trainingSize', '300'], ['hidden', '4'], ['epochs', '1'], ['batchSize', '64']]) await dash.page.fill(field(name), value);
    await dash.page.click('#train-start');
    const message = 'trainingSize 300 is more than the 55 distinct questions that 1 digit allow';
    await dash.page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
    expect(await dash.page.textContent('#train-error')).toBe(message);
    const beside = await dash.page.$eval(field('trainingSize'), (i) => {
      const msg = i.parentElement!.querySelector('.field-error');
      return { text: msg?.textContent, describedBy: msg !== null && i.getAttribute('aria-describedby') === msg.id, invalid: i.getAttribute('aria-invalid') };
    });
    expect(beside).toEqual({ text: message, describedBy: true, invalid: 'true' });
    expect((await focused()).name).toBe('trainingSize');
    expect((await get(dash.server.base, '/api/jobs')).body.jobs).toEqual([]);

    // Two digits allow the 300 questions: the field's mark goes with the next submission, and the job starts.
    await dash.page.fill(field('digits'), '2');
    await dash.page.click('#train-start');
    await dash.page.waitForSelector('#jobs li[data-job]');
    expect(await dash.page.$$eval('#train-form .field-error', (els) => els.map((e) => e.textContent))).toEqual([]);
    expect(await dash.page.getAttribute(field('trainingSize'), 'aria-invalid')).not.toBe('true');
    const [job] = (await get(dash.server.base, '/api/jobs')).body.jobs;
    expect((await finished(dash.server.base, job.id)).status).toBe('completed');
  }, 120_000);

  it('hides the previous answer when a sum or a hidden-states request is refused', async () => {
    await dash.page.click('#tab-try');
    await dash.page.waitForFunction(() => [...(document.querySelector('#sum-model') as HTMLSelectElement).options].some((o) => o.value !== ''));
    const ask = async (form: string, input: string, text: string) => {
      await dash.page.fill(input, text);
      await dash.page.click(`${form} button[type="submit"]`);
      await dash.page.waitForSelector(`${form} button[type="submit"]:not([disabled])`);
    };
    await ask('#sum-form', '#sum-query', '12+34');
    expect(await dash.page.isVisible('#sum-result')).toBe(true);
    expect(await dash.page.textContent('#sum-question')).toContain('12+34');
    await ask('#sum-form', '#sum-query', '123+4');
    expect(await dash.page.textContent('#sum-error')).toBe('123 has more than 2 digits; this model adds numbers up to 99');
    expect(await dash.page.isVisible('#sum-result')).toBe(false);
    // An accepted request shows its answer again, and no error.
    await ask('#sum-form', '#sum-query', '5+6');
    expect(await dash.page.isVisible('#sum-result')).toBe(true);
    expect(await dash.page.textContent('#sum-question')).toContain('5+6');
    expect(await dash.page.textContent('#sum-error')).toBe('');

    await dash.page.click('#tab-inside');
    await dash.page.waitForFunction(() => [...(document.querySelector('#states-model') as HTMLSelectElement).options].some((o) => o.value !== ''));
    await ask('#states-form', '#states-input', '12+34');
    expect(await dash.page.isVisible('#states-result')).toBe(true);
    await ask('#states-form', '#states-input', '123+4');
    expect(await dash.page.textContent('#states-error')).toBe('123 has more than 2 digits; this model adds numbers up to 99');
    expect(await dash.page.isVisible('#states-result')).toBe(false);
    expect(await dash.page.getAttribute('#states-result', 'aria-busy')).toBeNull();
  }, 60_000);

  it('keeps keyboard focus on a running job\'s Cancel button and on a job\'s name button through progress updates', async () => {
    await dash.page.click('#tab-train');
    const done = (await post(dash.server.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1, name: 'done' })).body.job.id as string;
    await finished(dash.server.base, done);
    const long = (await post(dash.server.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 2000, hidden: 4, epochs: 50, name: 'long' })).body.job.id as string;
    const cancel = `#jobs li[data-job="${long}"] button[data-action="cancel"]`;
    await dash.page.waitForSelector(`#jobs li[data-job="${long}"] progress`);
    const progress = () => dash.page.$eval(`#jobs li[data-job="${long}"] .job-phase`, (e) => e.textContent);

    // A finished job's name button first (what Tab reaches in its entry): the running job's updates must not take its focus.
    await dash.page.focus(`#jobs li[data-job="${done}"] .job-show`);
    let before = await progress();
    await until(async () => (await progress()) !== before, 30_000, 'a progress update');
    expect(await focused()).toEqual({ tag: 'SPAN', role: 'button', job: done, action: null, name: null });

    await dash.page.focus(cancel);
    before = await progress();
    // Two updates, so the list was redrawn while the button had focus.
    await until(async () => (await progress()) !== before, 30_000, 'a progress update');
    before = await progress();
    await until(async () => (await progress()) !== before, 30_000, 'a second progress update');
    expect(await focused()).toEqual({ tag: 'BUTTON', role: null, job: long, action: 'cancel', name: null });
    await dash.page.keyboard.press('Enter');
    await dash.page.waitForSelector(`#jobs li[data-job="${long}"][data-status="cancelled"]`);
    expect((await finished(dash.server.base, long)).status).toBe('cancelled');
    // The button is gone with the job's end: focus goes to the job's name button, not to the page or the bare entry.
    expect(await focused()).toEqual({ tag: 'SPAN', role: 'button', job: long, action: null, name: null });
    expect(dash.pageErrors).toEqual([]);
  }, 120_000);
});

describeInChromium('the Try-it view\'s demo button after a refusal', () => {
  // No model yet (the notice with the button shows), and a first job held in its batch pause, so the others wait.
  const dash = dashboardSession({ hash: '#try', server: { batchDelayMs: PAUSE_MS }, timeoutMs: 60_000 });

  it('shows the 429 of a full queue beside the button', async () => {
    for (let i = 0; i < 21; i++) expect((await post(dash.server.base, '/api/jobs', { ...SMALL_SUM, name: `wait-${i}` })).status).toBe(202);
    await dash.page.waitForSelector('#try-demo', { state: 'visible' });
    await dash.page.click('#try-demo');
    await dash.page.waitForFunction(() => (document.querySelector('#try-demo-error')?.textContent ?? '') !== '');
    expect(await dash.page.textContent('#try-demo-error')).toBe('20 jobs are already waiting (at most 20); cancel some or wait');
    expect(await dash.page.isVisible('#try-demo-error')).toBe(true);
    expect(await dash.page.isDisabled('#try-demo')).toBe(false);
    expect((await get(dash.server.base, '/api/jobs')).body.jobs).toHaveLength(21);
    expect(dash.pageErrors).toEqual([]);
  }, 90_000);
});
