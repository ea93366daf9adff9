/** `rnnlab seq2seq` then `rnnlab translate` on a small pairs file in a temp folder, and the errors of both. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/seq2seq/store.js';
import { cleanup, readResults, REPO_ROOT, run, tempDir } from '../cli/helpers.js';

let root = '', runDir = '', pairsFile = '';
const words = ['ab', 'cd', 'ef', 'gh'];

beforeAll(async () => {
  root = tempDir('rnnlab-s2s-cli-');
  pairsFile = path.join(root, 'pairs.tsv');
  // Copy task: the target is the source, so a few epochs learn it.
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const s = [words[i % 4], words[(i >> 2) % 4], words[(i >> 4) % 4]].slice(0, 1 + (i % 3)).join('');
    lines.push(`${s}\t${s}`);
  }
  writeFileSync(pairsFile, lines.join('\n') + '\n');
  runDir = path.join(root, 'run');
  const r = await run(['seq2seq', '--data', pairsFile, '--out', runDir, '--units', '24', '--embedding-dim', '8', '--epochs', '8', '--batch-size', '16',
    '--lr', '0.02', '--beam', '2', '--samples', '3', '--verbose', '0', '--seed', '2']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
}, 120_000);
afterAll(cleanup);

describe('rnnlab seq2seq', () => {
  it('prints samples and greedy and beam accuracies, and writes the model folder and a valid record', () => {
    const rec = readResults(runDir);
    expect(rec.command).toBe('seq2seq');
    expect(rec.status).toBe('completed');
    expect(rec.metrics.validationExact).toBeGreaterThan(0.5);
    expect(rec.metrics.beamExact).toBeGreaterThan(0.5);
    expect(rec.samples).toHaveLength(3);
    expect(rec.config).toMatchObject({ tokens: 'char', rnn: 'lstm', attention: 'luong', beam: 2, units: 24 });
    const att = rec.details.attention;
    expect(att.weights).toHaveLength(att.output.length);
    for (const row of att.weights) expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    const spec = checkSpec(JSON.parse(readFileSync(path.join(runDir, 'model', 'rnnlab-seq2seq.json'), 'utf8')), 'spec');
    expect(spec.architecture.units).toBe(24);
    expect(existsSync(path.join(runDir, 'report.html'))).toBe(true);
  });

  it('prints the lab\'s Question / True / Guess lines', async () => {
    const out = path.join(root, 'again');
    const r = await run(['seq2seq', '--data', pairsFile, '--out', out, '--units', '8', '--epochs', '1', '--samples', '2', '--verbose', '0', '--beam', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Question \S+ +True \S+ +Guess \S* [☑☒]/m);
    expect(r.out).toMatch(/^Validation per-token accuracy \(greedy\): \d+\.\d\d%$/m);
    expect(r.out).toMatch(/^Validation exact-match accuracy \(beam 2\): \d+\.\d\d%$/m);
  }, 60_000);

  it('passes every model and data flag through (CSV pairs, words, GRU, bidirectional, 2 layers, Bahdanau, length limits)', async () => {
    const csv = path.join(root, 'pairs.csv');
    const rows = Array.from({ length: 60 }, (_, i) => `"${words[i % 4]} ${words[(i >> 2) % 4]}${i % 5 === 0 ? ' ab cd' : ''}",${words[(i >> 2) % 4]} ${words[i % 4]}`);
    writeFileSync(csv, `source,target\n${rows.join('\n')}\n`);
    const out = path.join(root, 'flags');
    const r = await run(['seq2seq', '--data', csv, '--pairs-format', 'csv', '--tokens', 'word', '--rnn', 'gru', '--bidirectional-encoder', '--layers', '2',
      '--units', '4', '--embedding-dim', '3', '--attention', 'bahdanau', '--validation-split', '0.2', '--epochs', '2', '--batch-size', '8', '--seed', '3',
      '--max-source-len', '2', '--max-target-len', '2', '--samples', '1', '--out', out, '--verbose', '0']);
    expect(r.err).toBe('');
    const rec = readResults(out);
    expect(rec.config).toMatchObject({ tokens: 'word', rnn: 'gru', bidirectionalEncoder: true, layers: 2, units: 4, embeddingDim: 3, attention: 'bahdanau',
      validationSplit: 0.2, epochs: 2, batchSize: 8, seed: 3, maxSourceLen: 2, maxTargetLen: 2, beam: 0 });
    expect(rec.data.skippedLong).toBe(12);
    expect(rec.data.train + rec.data.validation).toBe(48);
    expect(rec.models[0].history.loss).toHaveLength(2);
    expect(rec.samples).toHaveLength(1);
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    expect(spec.source.tokens).toBe('word');
    expect(spec.source.items.slice(4).sort()).toEqual([...words].sort());
    expect(spec.architecture).toMatchObject({ rnn: 'gru', bidirectionalEncoder: true, layers: 2, attention: 'bahdanau' });
    expect(rec.metrics.beamExact).toBeUndefined();
  }, 60_000);

  it('--generate writes its pairs into the run folder and trains on them', async () => {
    const out = path.join(root, 'gen');
    const r = await run(['seq2seq', '--generate', 'reverse-words', '--count', '40', '--units', '4', '--epochs', '1', '--samples', '0', '--out', out, '--verbose', '0']);
    expect(r.code).toBe(0);
    const pairs = readFileSync(path.join(out, 'pairs.tsv'), 'utf8').trimEnd().split('\n');
    expect(pairs).toHaveLength(40);
    for (const l of pairs) {
      const [src, tgt] = l.split('\t');
      expect(tgt).toBe(src.split(' ').reverse().join(' '));
    }
    expect(readResults(out).config.tokens).toBe('word');
    expect(readResults(out).data).toMatchObject({ generated: 'reverse-words', pairs: 40 });
  }, 60_000);

  it('a run on --data into an earlier --generate run\'s folder removes its pairs.tsv; a run on that very file keeps it, and --generate then keeps it too', async () => {
    const out = path.join(root, 'gen-then-data');
    const small = ['seq2seq', '--units', '4', '--epochs', '1', '--samples', '0', '--out', out, '--verbose', '0'];
    expect((await run([...small, '--generate', 'reverse-words', '--count', '30'])).code).toBe(0);
    const generated = path.join(out, 'pairs.tsv');
    const kept = await run([...small, '--data', generated]);
    expect(kept.code, kept.err).toBe(0);
    expect(existsSync(generated)).toBe(true);
    // That run trained on the file and kept it, but did not generate it (it may have been edited): --generate there refuses to replace it.
    const trained = readFileSync(generated, 'utf8');
    const regenerate = await run([...small, '--generate', 'date', '--count', '30']);
    expect(regenerate.code).toBe(2);
    expect(regenerate.err).toMatch(/already holds 'pairs\.tsv', which the earlier run there did not generate/);
    expect(readFileSync(generated, 'utf8')).toBe(trained);
    // The same file reached through a symbolic link (to the file, or to the run folder) is still this run's data.
    const linkedFile = path.join(root, 'linked-pairs.tsv'), linkedDir = path.join(root, 'linked-run');
    symlinkSync(generated, linkedFile);
    symlinkSync(out, linkedDir);
    for (const [data, into] of [[linkedFile, out], [generated, linkedDir]]) {
      rmSync(out, { recursive: true });
      expect((await run([...small, '--generate', 'reverse-words', '--count', '30'])).code).toBe(0);
      const viaLink = await run([...small.slice(0, -4), '--out', into, '--verbose', '0', '--data', data]);
      expect(viaLink.code, viaLink.err).toBe(0);
      expect(existsSync(generated), `--data ${data} --out ${into}`).toBe(true);
    }
    rmSync(out, { recursive: true });
    expect((await run([...small, '--generate', 'reverse-words', '--count', '30'])).code).toBe(0);
    const other = await run([...small, '--data', pairsFile]);
    expect(other.code, other.err).toBe(0);
    expect(existsSync(generated)).toBe(false);
    expect(readResults(out).data.path).toBe(pairsFile);
  }, 120_000);

  it('the translate hint quotes a folder with spaces, so it pastes into a shell', async () => {
    const out = path.join(root, "it's a run");
    const r = await run(['seq2seq', '--data', pairsFile, '--units', '4', '--epochs', '1', '--samples', '0', '--out', out, '--verbose', '0']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`try: rnnlab translate --model '${out.replace("'", "'\\''")}' "..."`);
  }, 60_000);

  it('a bidirectional encoder without attention (1 and 2 layers) translates and exports after saving', async () => {
    for (const [rnn, layers] of [['lstm', '1'], ['gru', '2']]) {
      const out = path.join(root, `bi-none-${rnn}`);
      const r = await run(['seq2seq', '--data', pairsFile, '--bidirectional-encoder', '--attention', 'none', '--rnn', rnn, '--layers', layers, '--units', '4',
        '--epochs', '1', '--samples', '0', '--out', out, '--verbose', '0']);
      expect(r.code, r.err).toBe(0);
      const t = await run(['translate', '--model', out, 'abcd', 'ef']);
      // One epoch may not learn to write <end>: a note on stderr, no error.
      expect(t.err).not.toMatch(/error/);
      expect(t.code).toBe(0);
      expect(t.out.split('\n')).toHaveLength(3);
      const e = await run(['export', '--model', out, '--out', path.join(root, `bi-none-${rnn}.onnx`)]);
      expect(e.code, e.err).toBe(0);
    }
  }, 60_000);

  it('exits 2 naming the flag, file and line; leaves nothing in --out', async () => {
    const bad = path.join(root, 'bad.tsv');
    writeFileSync(bad, 'a\tb\nno tab\n');
    const out = path.join(root, 'never');
    const cases: [string[], RegExp][] = [
      [['--data', bad], /rnnlab seq2seq: error: --data: .*bad\.tsv:2: no tab/],
      [[], /give the pairs with --data PATH/],
      [['--data', pairsFile, '--generate', 'date'], /--data or --generate, not both/],
      [['--data', pairsFile, '--max-source-len', 'ten'], /--max-source-len expects a positive integer or auto, got 'ten'/],
      [['--data', pairsFile, '--attention', 'cosine'], /--attention must be one of luong, bahdanau, none/],
      [['--data', pairsFile, '--validation-split', '0.001'], /--validation-split: 0.001 of 400 pairs leaves 0 for validation/],
      [['--data', pairsFile, '--count', '5'], /--count sizes --generate/],
      [['--generate', 'date', '--count', '2'], /--validation-split: 0.1 of 2 pairs leaves 0 for validation .* \(--generate date --count 2\)$/m],
      [['--data', path.join(root, 'none.tsv')], /--data: no such file or folder/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(['seq2seq', ...args, '--out', out, '--epochs', '1', '--verbose', '0']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('rnnlab translate', () => {
  it('decodes arguments in order, as text or tsv, greedy or beam', async () => {
    const inputs = ['abcd', 'ef', 'ghab'];
    const r = await run(['translate', '--model', runDir, ...inputs]);
    expect(r.code).toBe(0);
    const outs = r.out.trimEnd().split('\n');
    expect(outs).toHaveLength(3);
    expect(outs.filter((o, i) => o === inputs[i]).length).toBeGreaterThanOrEqual(2);
    const tsv = await run(['translate', '--model', path.join(runDir, 'model'), '--format', 'tsv', '--beam', '3', ...inputs]);
    expect(tsv.out.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual(inputs);
  });

  it('--show-attention draws a heatmap: source across, output down', async () => {
    const r = await run(['translate', '--model', runDir, '--show-attention', 'abcd']);
    const lines = r.out.split('\n');
    expect(lines[1]).toMatch(/^ +│abcd$/);
    expect(lines[2]).toMatch(/^─+┼────$/);
    expect(lines.slice(3).filter((l) => l.includes('│')).at(-1)).toMatch(/^<end> │/);
    expect(r.out).toMatch(/[░▒▓█]/);
  });

  it('reads stdin with --file -, one output per input line in order', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), 'translate', '--model', runDir, '--file', '-', '--format', 'tsv'],
      { input: 'abcd\n\n-ef\ncd\n', encoding: 'utf8' });
    // '-' is no token of the copy task: line 3 decodes with a note.
    expect(r.stderr).toBe('rnnlab translate: (stdin):3: 1 distinct source token(s) not in the model\'s vocabulary ("-": never seen in training, or left out by the --max-vocab of seq2seq) read as <unk>; the output may be wrong\n');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 4).map((l) => l.split('\t')[0])).toEqual(['abcd', '', '-ef', 'cd']);
  });

  it('exits 2 naming the flag, file and line', async () => {
    const latin = path.join(root, 'latin1.txt');
    writeFileSync(latin, Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
    const cases: [string[], RegExp][] = [
      [['--model', root, 'x'], /--model: .* holds no rnnlab-seq2seq\.json/],
      [['--model', runDir], /give the text to decode/],
      [['--model', runDir, '--file', path.join(root, 'none.txt')], /--file: no such file/],
      [['--model', runDir, '--file', latin], /--file: .*latin1\.txt:2: byte 0xe9 is not UTF-8/],
      [['--model', runDir, '--beam', '-1', 'x'], /--beam must be an integer from 0 to 64/],
      [['--model', runDir, '--format', 'csv', 'x'], /--format must be one of text, tsv/],
    ];
    for (const [args, msg] of cases) {
      const r = await run(['translate', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });

  it('notes on stderr an input holding tokens never seen in training, or longer than any training source', async () => {
    const r = await run(['translate', '--model', runDir, '--format', 'tsv', 'abxyx', 'abcdefghabcd', 'abcd']);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual(['abxyx', 'abcdefghabcd', 'abcd']);
    const notes = r.err.split('\n').filter((l) => !/no <end>/.test(l) && l);
    expect(notes).toEqual([
      // "x" twice: each token counted once, as listed.
      'rnnlab translate: text argument 1: 2 distinct source token(s) not in the model\'s vocabulary ("x", "y": never seen in training, or left out by the --max-vocab of seq2seq) read as <unk>; the output may be wrong',
      'rnnlab translate: text argument 2: 12 source tokens, more than the 6 the model was trained for (its longest training source, or the --max-source-len of seq2seq); the output may be wrong',
    ]);
  });

  it('--model may name the model\'s model.json or rnnlab-seq2seq.json; another kind of model points to rnnlab predict', async () => {
    for (const file of ['model.json', 'rnnlab-seq2seq.json']) {
      const r = await run(['translate', '--model', path.join(runDir, 'model', file), 'abcd']);
      expect(r.code, r.err).toBe(0);
      expect(r.out.split('\n')).toHaveLength(2);
    }
    const classifier = path.join(root, 'classifier');
    mkdirSync(path.join(classifier, 'model'), { recursive: true });
    writeFileSync(path.join(classifier, 'model', 'model.json'), '{}\n');
    const r = await run(['translate', '--model', classifier, 'abcd']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--model: .*classifier.model holds a model that is not a seq2seq model \(no rnnlab-seq2seq\.json\): .* scores texts with rnnlab predict/);
  });
});
