/**
 * The sample blocks of docs/CLI.md as data: find them, split their command lines, normalise what a run prints and
 * write the output back between the markers. Pure functions, so test/docs/ checks them without running anything.
 *
 * A sample:   <!-- sample: rnnlab tokenize "This movie was great!" -->      (or sample-tail N, or sample exit N)
 *             ```  $ rnnlab tokenize ...  output  ```
 *             <!-- /sample -->
 * A file the samples need (written to the run folder first):   <!-- file: sweep.yaml --> followed by a fenced block.
 */

const SAMPLE = /<!-- sample(?: (tail|exit) (\d+))?: (rnnlab [^\n]*?) -->\n[\s\S]*?<!-- \/sample -->/g;
const FILE = /<!-- file: ([\w.-]+) -->\n```[a-z]*\n([\s\S]*?)```/g;

/** Every sample marker in document order: the command, how much output to keep, the exit code it must end with. */
export function findSamples(markdown) {
  return [...markdown.matchAll(SAMPLE)].map((m) => ({
    command: m[3],
    tail: m[1] === 'tail' ? Number(m[2]) : null,
    exitCode: m[1] === 'exit' ? Number(m[2]) : 0,
  }));
}

/** The files the samples read (name and content), from `<!-- file: NAME -->` blocks. */
export function findFiles(markdown) {
  return [...markdown.matchAll(FILE)].map((m) => ({ name: m[1], content: m[2] }));
}

/** Splits a command line as a shell would for plain words, "double" and 'single' quoted arguments. */
export function splitArgs(line) {
  const args = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) args.push(m[1] ?? m[2] ?? m[3]);
  return args;
}

/**
 * What a run prints, made the same on every machine: the scratch folder becomes `.` (runs/... stay relative),
 * today's date becomes YYYY-MM-DD, trailing spaces go. Timing digits stay: they are real and say how fast it was.
 */
export function normaliseOutput(text, { scratchDirs = [], today = null } = {}) {
  let out = text;
  for (const dir of scratchDirs) out = out.split(dir).join('.');
  if (today) out = out.split(today).join('YYYY-MM-DD');
  return out.split('\n').map((line) => line.trimEnd()).join('\n').replace(/\n+$/, '');
}

/** The block for one sample: the command, its output (only the last `tail` lines when asked) and a non-zero exit. */
export function renderSample(sample, output, exitCode) {
  let lines = output === '' ? [] : output.split('\n');
  if (sample.tail !== null && lines.length > sample.tail) lines = ['...', ...lines.slice(-sample.tail)];
  const body = [`$ ${sample.command}`, ...lines];
  if (exitCode !== 0) body.push('$ echo $?', String(exitCode));
  return `\`\`\`\n${body.join('\n')}\n\`\`\``;
}

/** The markdown with the i-th sample block replaced by blocks[i]; markers and the text around them are kept. */
export function replaceSamples(markdown, blocks) {
  let i = 0;
  return markdown.replace(SAMPLE, (whole) => {
    const head = whole.slice(0, whole.indexOf('-->') + 3);
    return `${head}\n${blocks[i++]}\n<!-- /sample -->`;
  });
}

/** The markdown with the text between `<!-- NAME -->` and `<!-- /NAME -->` replaced (the sentence on the data used). */
export function replaceBetween(markdown, name, text) {
  const open = `<!-- ${name} -->`;
  const close = `<!-- /${name} -->`;
  const start = markdown.indexOf(open);
  const end = markdown.indexOf(close);
  if (start < 0 || end < start) throw new Error(`docs/CLI.md: no ${open} ... ${close} markers`);
  return `${markdown.slice(0, start + open.length)}${text}${markdown.slice(end)}`;
}
