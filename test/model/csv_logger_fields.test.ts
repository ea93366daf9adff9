/**
 * csvLogger's fields as Keras 3's CSVLogger writes them through Python's csv writer (excel dialect): a field holding
 * the separator, a quote mark or a line break is quoted, its quote marks doubled (RFC 4180), so every row has the
 * header's number of fields; a list is Keras's handle_value text '"[0.1, 0.2]"'. The expected rows are what
 * Python's csv.DictWriter writes for the same values (line ends aside: rnnlab writes \n).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-csv-fields-');

/** Adds text and list values to each epoch's logs, as a user's callback may. */
const adder = (extra: Record<string, unknown>): rl.Callback => ({ onEpochEnd: (_e, logs) => { Object.assign(logs!, extra); } });

describe("csvLogger's quoting", () => {
  it('quotes the separator, quote marks and line breaks; writes lists as Keras does', async () => {
    const file = join(tempDir(), 'log.csv');
    const extra = { note: 'a,b', groups: [0.1, 0.2], nested: [[1, 2], [3]], quote: 'say "hi"', line: 'l1\nl2', plain: 'ok', typed: Float32Array.of(0.5, 2) };
    const h = await model().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [adder(extra), rl.callbacks.csvLogger(file)] });
    const loss = String(h.history.loss[0]);
    expect(readFileSync(file, 'utf8')).toBe(
      'epoch,groups,line,loss,nested,note,plain,quote,typed,val_groups,val_line,val_loss,val_nested,val_note,val_plain,val_quote,val_typed\n' +
      `0,"""[0.1, 0.2]""","l1\nl2",${loss},"""[[1, 2], [3]]""","a,b",ok,"say ""hi""","""[0.5, 2]""",NA,NA,NA,NA,NA,NA,NA,NA\n`);
  });

  it('with another separator, quotes what holds it (and leaves commas alone); header names too', async () => {
    const file = join(tempDir(), 'log.csv');
    const h = await model().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [adder({ 'a;b': 'x;y', c: 'p,q' }), rl.callbacks.csvLogger(file, { separator: ';' })] });
    const [l0, l1] = h.history.loss.map(String);
    expect(readFileSync(file, 'utf8')).toBe(`epoch;"a;b";c;loss;"val_a;b";val_c;val_loss\n0;"x;y";p,q;${l0};NA;NA;NA\n1;"x;y";p,q;${l1};NA;NA;NA\n`);
  });
});
