/**
 * A dotted --text-column / --label-column (textColumn / labelColumn) reads a field of nested JSON Lines objects:
 * `meta.text` in {"meta": {"text": ...}}, as Keras users' exports often nest them. A key holding a dot itself wins
 * over the path; a list on the way, or a row lacking the nested field, is a bad row naming the file, line and path.
 */
import { describe, expect, it } from 'vitest';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { scratchFiles } from './scratch_files.js';

const { file } = scratchFiles('rnnlab-nested-');
const lines = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('nested JSON Lines fields by a dotted path', () => {
  it('reads the text and the label from nested objects', async () => {
    const f = file('nested.jsonl', lines(
      { id: 1, meta: { text: 'a fine film', lang: 'en' }, y: { label: 'pos' } },
      { id: 2, meta: { text: 'a dull film', lang: 'en' }, y: { label: 'neg' } },
      { id: 3, meta: { text: 'deep', source: { a: 1 } }, y: { label: 7 } },
    ));
    const ds = await loadTextDataset(f, { textColumn: 'meta.text', labelColumn: 'y.label' });
    expect(ds.texts).toEqual(['a fine film', 'a dull film', 'deep']);
    expect(ds.labels).toEqual(['pos', 'neg', '7']);
    expect(ds.labelColumn).toBe('y.label');
  });

  it('matches each part of the path in any case when no key is spelt exactly so, as a CSV column is matched', async () => {
    const f = file('cased.jsonl', lines({ Meta: { Text: 'a fine film' }, label: 'pos' }, { Meta: { Text: 'a dull film' }, label: 'neg' }));
    expect((await loadTextDataset(f, { textColumn: 'meta.TEXT' })).texts).toEqual(['a fine film', 'a dull film']);
    // Two keys equal but for case are no match: the name must say which.
    const g = file('twice.jsonl', lines({ m: { text: 'a', TEXT: 'b' }, label: 'x' }));
    await expect(loadTextDataset(g, { textColumn: 'm.Text' })).rejects.toThrow(/no text field 'm\.Text'/);
  });

  it('goes three levels down, and mixes a nested text with a top-level label', async () => {
    const f = file('deep.jsonl', lines({ a: { b: { c: 'x y' } }, label: 1 }, { a: { b: { c: 'z' } }, label: 0 }));
    const ds = await loadTextDataset(f, { textColumn: 'a.b.c' });
    expect(ds.texts).toEqual(['x y', 'z']);
    expect(ds.labels).toEqual(['1', '0']);
  });

  it('an exact key holding a dot wins over the path, and a nested key holding a dot is reachable', async () => {
    const f = file('dotted.jsonl', lines(
      { 'meta.text': 'top level key', meta: { text: 'nested' }, label: 'a' },
      { 'meta.text': 'second', meta: { text: 'nested 2' }, label: 'b' },
    ));
    expect((await loadTextDataset(f, { textColumn: 'meta.text' })).texts).toEqual(['top level key', 'second']);
    const g = file('inner_dot.jsonl', lines({ doc: { 'body.en': 'hello', body: { fr: 'x' } }, label: 'a' }, { doc: { 'body.en': 'bye', body: { fr: 'y' } }, label: 'b' }));
    expect((await loadTextDataset(g, { textColumn: 'doc.body.en' })).texts).toEqual(['hello', 'bye']);
    expect((await loadTextDataset(g, { textColumn: 'doc.body.fr' })).texts).toEqual(['x', 'y']);
  });

  it('a row lacking the nested field is a bad row naming the file, line, path and what the row holds there', async () => {
    const f = file('gap.jsonl', lines({ meta: { text: 'ok' }, label: 'a' }, { meta: { title: 'no text' }, label: 'b' }, { meta: 'flat', label: 'b' }, { label: 'c' }));
    await expect(loadTextDataset(f, { textColumn: 'meta.text' }))
      .rejects.toThrow(/gap\.jsonl:2: no text field 'meta\.text' \(textColumn\): every row needs it; 'meta' has no field 'text': its fields are "title"/);
    const ds = await loadTextDataset(f, { textColumn: 'meta.text', skipBadRows: true });
    expect(ds.texts).toEqual(['ok']);
    expect(ds.skippedRows.map((r) => `${r.where.replace(/^.*[\\/]\d+-/, '')} ${r.problem}`)).toEqual([
      "gap.jsonl:2 no text field 'meta.text' (textColumn): every row needs it; 'meta' has no field 'text': its fields are \"title\"",
      "gap.jsonl:3 no text field 'meta.text' (textColumn): every row needs it; 'meta' is not an object here",
      "gap.jsonl:4 no text field 'meta.text' (textColumn): every row needs it; its fields are \"label\"",
    ]);
  });

  it('the first row lacking the path names where it stops; a nested label missing names the label path', async () => {
    const f = file('first.jsonl', lines({ meta: { body: 'x' }, label: 'a' }));
    await expect(loadTextDataset(f, { textColumn: 'meta.text' }))
      .rejects.toThrow(/first\.jsonl:1: no text field 'meta\.text' \(textColumn\): 'meta' has no field 'text'; its fields are "body"/);
    await expect(loadTextDataset(file('flat.jsonl', lines({ meta: 'flat', label: 'a' })), { textColumn: 'meta.text' }))
      .rejects.toThrow(/flat\.jsonl:1: no text field 'meta\.text' \(textColumn\): 'meta' is "flat", not an object with fields/);
    const g = file('label_gap.jsonl', lines({ text: 'a', y: { label: 'p' } }, { text: 'b', y: {} }));
    await expect(loadTextDataset(g, { labelColumn: 'y.label' }))
      .rejects.toThrow(/label_gap\.jsonl:2: no label field 'y\.label' \(labelColumn\): every row needs it; 'y' has no field 'label': it has no fields/);
  });

  it('a list on the path is refused naming the line, on the first row and on a later one', async () => {
    const f = file('list_first.jsonl', lines({ meta: [{ text: 'a' }], label: 'a' }));
    await expect(loadTextDataset(f, { textColumn: 'meta.text' }))
      .rejects.toThrow(/list_first\.jsonl:1: the text field 'meta\.text' \(textColumn\) goes through 'meta', a list: a path through a list is not read/);
    const g = file('list_later.jsonl', lines({ meta: { text: 'a' }, label: 'a' }, { meta: [{ text: 'b' }], label: 'b' }));
    await expect(loadTextDataset(g, { textColumn: 'meta.text' }))
      .rejects.toThrow(/list_later\.jsonl:2: no text field 'meta\.text' \(textColumn\): 'meta' is a list on this line: a path through a list is not read/);
  });

  it('a path ending at an object or a list is no text or label, named as such', async () => {
    const f = file('ends.jsonl', lines({ meta: { text: { en: 'x' } }, label: 'a' }));
    await expect(loadTextDataset(f, { textColumn: 'meta.text' })).rejects.toThrow(/ends\.jsonl:1: field 'meta\.text' must be a non-empty string, got \{"en":"x"\}/);
    const g = file('labels.jsonl', lines({ text: 'x', y: { labels: [1, 2] } }));
    await expect(loadTextDataset(g, { labelColumn: 'y.labels' })).rejects.toThrow(/labels\.jsonl:1: field 'y\.labels' must be a string or a number, got \[1,2\] \(a list of labels/);
  });

  it('without a dotted name, nested objects are not searched: the defaults pick top-level fields only', async () => {
    const f = file('defaults.jsonl', lines({ meta: { text: 'x' }, label: 'a' }));
    await expect(loadTextDataset(f)).rejects.toThrow(/defaults\.jsonl:1: no text column found/);
    // A default-named field holding an object says how to reach inside it.
    const g = file('object.jsonl', lines({ review: { stars: 5, body: 'good' }, label: 1 }));
    await expect(loadTextDataset(g)).rejects.toThrow(/object\.jsonl:1: field 'review' must be a non-empty string, got \{"stars":5,"body":"good"\} \(a nested object: name the field inside it with a dotted path, e.g\. textColumn "review\.body"\)$/);
    expect((await loadTextDataset(g, { textColumn: 'review.body' })).texts).toEqual(['good']);
  });
});
