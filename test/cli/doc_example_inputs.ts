/**
 * The small input files a doc example command line names (test/cli/doc_examples.test.ts runs them in full): labelled
 * texts for `train` / `evaluate` in the format the name says (a class folder when it has no extension), pairs for
 * `seq2seq`, texts for `predict` / `translate --file`. Each is made only where nothing is there yet, so a line may
 * read what an earlier line (or the test) made. The settings that make a doc line slow are shrunk by shrink().
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The value of --flag in argv (`--flag V` or `--flag=V`), or undefined. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i].startsWith(`${flag}=`)) return argv[i].slice(flag.length + 1);
  }
  return undefined;
}

/** argv with --flag at most n: a larger value lowered, an absent flag added. */
function atMost(argv: readonly string[], flag: string, n: number): string[] {
  const out = [...argv];
  const at = out.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (at < 0) return [...out, flag, String(n)];
  const inline = out[at].includes('=');
  const value = Number(inline ? out[at].slice(flag.length + 1) : out[at + 1]);
  if (value > n) {
    if (inline) out[at] = `${flag}=${n}`;
    else out[at + 1] = String(n);
  }
  return out;
}

/**
 * A doc line with its training made small, where the doc itself names the flags that size it: seq2seq's `--count`
 * (the doc's date run uses 10000 pairs), `--epochs`, `--units` and `--embedding-dim`; imdb's `--limit` and `--epochs`
 * (the run predict's sample scores). What is printed and saved is the same in kind; the numbers are not the doc's.
 */
export function shrink(argv: readonly string[]): string[] {
  let out = [...argv];
  if (argv[0] === 'seq2seq') {
    if (flagValue(argv, '--generate') !== undefined) out = atMost(out, '--count', 200);
    for (const [flag, n] of [['--epochs', 2], ['--units', 16], ['--embedding-dim', 8]] as const) out = atMost(out, flag, n);
  }
  if (argv[0] === 'imdb') for (const [flag, n] of [['--limit', 100], ['--epochs', 1]] as const) out = atMost(out, flag, n);
  return out;
}

const POSITIVE = ['superb', 'moving', 'brilliant', 'lovely', 'gripping', 'charming'];
const NEGATIVE = ['dull', 'awful', 'boring', 'tedious', 'clumsy', 'bland'];
const WORDS = ['red', 'green', 'blue', 'cat', 'dog', 'sun', 'moon', 'tree'];

/** n labelled texts per class: a class's words, so a tiny model can learn them; labels are the class names. */
function labelled(classes: readonly string[], n: number): { text: string; label: string }[] {
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    classes.forEach((c, k) => {
      const words = k % 2 === 0 ? POSITIVE : NEGATIVE;
      out.push({ text: `a ${words[i % words.length]} film with a ${words[(i + 1 + k) % words.length]} story`, label: c });
    });
  }
  return out;
}

/** {"a": {"b": v}} for the dotted name a.b (a nested --text-column), else {name: v}. */
function nestedField(name: string, value: string): Record<string, unknown> {
  return name.split('.').reduceRight<unknown>((v, key) => ({ [key]: v }), value) as Record<string, unknown>;
}

function tableFile(file: string, rows: Record<string, string>[], columns: readonly string[], format: string): void {
  if (format === 'jsonl' || format === 'json') {
    writeFileSync(file, rows.map((r) => JSON.stringify(Object.assign({}, ...columns.map((c) => nestedField(c, r[c]))))).join('\n') + '\n');
    return;
  }
  const sep = format === 'tsv' ? '\t' : ',';
  writeFileSync(file, [columns.join(sep), ...rows.map((r) => columns.map((c) => r[c]).join(sep))].join('\n') + '\n');
}

/** The format a data path is read in: --format / --pairs-format / --input-format, else its extension; '' for none. */
function formatOf(p: string, given: string | undefined): string {
  if (given) return given;
  const ext = path.extname(p).slice(1).toLowerCase();
  return ext === 'tab' ? 'tsv' : ext === 'ndjson' ? 'jsonl' : ext;
}

/** Makes the inputs argv names that do not exist yet, under cwd; returns the paths made. */
export function makeInputs(argv: readonly string[], cwd: string): string[] {
  const made: string[] = [];
  const at = (p: string) => path.resolve(cwd, p);
  const command = argv[0];
  const classes = flagValue(argv, '--classes')?.split(',') ?? ['pos', 'neg'];
  const textColumn = flagValue(argv, '--text-column') ?? 'text';
  const labelColumn = flagValue(argv, '--label-column') ?? 'label';
  const labelledData = (p: string | undefined, n: number) => {
    if (p === undefined || existsSync(at(p))) return;
    const format = formatOf(p, flagValue(argv, '--format'));
    if (format === '' || format === 'folder') {
      // Keras's text_dataset_from_directory layout: one subfolder of .txt files per class.
      for (const c of classes) {
        mkdirSync(path.join(at(p), c), { recursive: true });
        labelled([c], n).forEach((r, i) => writeFileSync(path.join(at(p), c, `${i}.txt`), r.text));
      }
    } else {
      mkdirSync(path.dirname(at(p)), { recursive: true });
      tableFile(at(p), labelled(classes, n).map((r) => ({ [textColumn]: r.text, [labelColumn]: r.label })), [textColumn, labelColumn], format);
    }
    made.push(p);
  };
  if (command === 'train') {
    labelledData(flagValue(argv, '--data'), 12);
    labelledData(flagValue(argv, '--validation'), 4);
  }
  if (command === 'evaluate') labelledData(flagValue(argv, '--data'), 6);
  const pairs = flagValue(argv, '--data');
  if (command === 'seq2seq' && pairs !== undefined && !existsSync(at(pairs))) {
    // Word lists and their reversal: read as characters or as words, both sides have tokens to learn.
    const rows = Array.from({ length: 24 }, (_, i) => {
      const words = [0, 1, 2].map((k) => WORDS[(i * (k + 1) + k) % WORDS.length]);
      return { source: words.join(' '), target: [...words].reverse().join(' ') };
    });
    mkdirSync(path.dirname(at(pairs)), { recursive: true });
    const format = formatOf(pairs, flagValue(argv, '--pairs-format'));
    if (format === 'csv' || format === 'jsonl' || format === 'json') tableFile(at(pairs), rows, ['source', 'target'], format);
    else writeFileSync(at(pairs), rows.map((r) => `${r.source}\t${r.target}`).join('\n') + '\n');
    made.push(pairs);
  }
  const file = flagValue(argv, '--file');
  if ((command === 'predict' || command === 'translate') && file !== undefined && file !== '-' && !existsSync(at(file))) {
    const texts = command === 'predict' ? labelled(['a', 'b'], 2).map((r) => r.text) : ['red cat sun', 'moon tree dog'];
    const format = formatOf(file, flagValue(argv, '--input-format'));
    mkdirSync(path.dirname(at(file)), { recursive: true });
    if (command === 'predict' && ['csv', 'tsv', 'jsonl', 'json'].includes(format)) tableFile(at(file), texts.map((t) => ({ [textColumn]: t })), [textColumn], format);
    else writeFileSync(at(file), texts.join('\n') + '\n');
    made.push(file);
  }
  return made;
}
