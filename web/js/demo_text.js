// The words for what "Train demo models" queues, made from the demo jobs the server sends.

/** "12,000 reviews" for a count, as the form's placeholders write numbers. */
const count = (n, one) => `${Number(n).toLocaleString('en-US')} ${n === 1 ? one : `${one}s`}`;

/** How each demo job is described: its kind of model, then the fields it sets, in these words. */
const DEMO_WORDS = {
  imdb: [(j) => `an IMDb ${j.model ?? ''} model`, {
    limit: (n) => `${count(n, 'review')} per split`, epochs: (n) => count(n, 'epoch'), maxlen: (n) => `maxlen ${n}`,
    units: (n) => count(n, 'unit'), embeddingDim: (n) => `embedding ${n}`, batchSize: (n) => `batch ${n}`,
  }],
  addition: [(j) => `${j.reverse ? 'a reversed' : 'an'} addition model`, {
    digits: (n) => `${n}-digit sums`, trainingSize: (n) => count(n, 'question'), hidden: (n) => count(n, 'hidden unit'),
    epochs: (n) => count(n, 'epoch'), batchSize: (n) => `batch ${n}`, lr: (n) => `learning rate ${n}`,
  }],
};

/**
 * What "Train demo models" queues, said from the demo jobs /api/config sends (the server's DEMO_JOBS, or the fields
 * it was started with), so the button's description cannot drift from the jobs.
 */
export function describeDemo(demo, tasks) {
  const jobs = tasks.filter((t) => demo?.[t]).map((t) => {
    const [kind, words] = DEMO_WORDS[t];
    const fields = Object.entries(words).filter(([k]) => demo[t][k] !== undefined).map(([k, say]) => say(demo[t][k]));
    return `${kind(demo[t]).replace(/ {2,}/g, ' ')}${fields.length ? ` (${fields.join(', ')})` : ''}`;
  });
  return `${jobs.join(' and ')}: about a minute on two cores, longer on one`;
}
