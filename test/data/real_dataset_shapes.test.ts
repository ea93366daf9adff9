/**
 * Users' own datasets as public ones really come: a Kaggle CSV saved by pandas, a Hugging Face `datasets` JSON Lines
 * export, GLUE's SST-2 TSV, a 20 Newsgroups-like folder, and texts in scripts other than Latin. Each is read as a
 * Keras user expects, or refused naming the file, the line and the field.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { encodeLabels } from '../../src/data/text_labels.js';
import { TextVectorizer } from '../../src/data/text_vectorizer.js';
import { scratchFiles } from './scratch_files.js';

const { file, tree } = scratchFiles('rnnlab-datasets-');
describe('a Kaggle CSV', () => {
  it("reads pandas's index columns, a BOM, CRLF, quoted newlines and doubled quotes, and skips a spreadsheet's empty rows", async () => {
    // df.to_csv() of a frame read with its own index: an unnamed first column, then 'Unnamed: 0'.
    const f = file('IMDB Dataset.csv', '\uFEFF,Unnamed: 0,review,sentiment\r\n' +
      '0,0,"One of the ""best"" films,\r\nreally.",positive\r\n1,1,Dull.,negative\r\n,,,\r\n2,2,"Fine, fine",positive\r\n\r\n');
    const ds = await loadTextDataset(f);
    expect(ds.texts).toEqual(['One of the "best" films,\nreally.', 'Dull.', 'Fine, fine']);
    expect(ds.labels).toEqual(['positive', 'negative', 'positive']);
    expect(ds.where).toEqual([`${f}:2`, `${f}:4`, `${f}:6`]);
    expect(ds.skipped).toBe(0);
    expect(ds.labelColumn).toBe('sentiment');
  });

  it('reads labels 0/1/2 as three classes in numeric order, 1.0 (a float column with a NaN) as 1', async () => {
    const ds = await loadTextDataset(file('topics.csv', 'Unnamed: 0,text,label\n0,a,2\n1,b,0\n2,c,1.0\n3,d,1\n'));
    expect(encodeLabels(ds.labels, ds.where, ds.source)).toEqual({ classNames: ['0', '1', '2'], ids: Int32Array.from([2, 0, 1, 1]) });
  });

  it('says a file whose first line is data (Sentiment140 has no header) needs a header line', async () => {
    const f = file('training.1600000.processed.noemoticon.csv', '"0","1467810369","Mon Apr 06 22:19:45 PDT 2009","NO_QUERY","user","is upset"\n"4","1467810672","Mon","NO_QUERY","u2","yay"\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/noemoticon\.csv:1: no text column found .*; the first line holds the number '0': if it is a row of data, the file has no header: add a first line naming the columns \(such as text,label\)$/);
    await expect(loadTextDataset(file('nohead.tsv', '1\tgood film\n0\tbad film\n'))).rejects.toThrow(/nohead\.tsv:1: no text column found .*\(such as text<TAB>label\)$/);
  });

  it('names the row of an empty text cell or a missing label, and skips them with skipBadRows', async () => {
    const f = file('missing.csv', 'text,label\n,positive\ngood,\nfine,positive\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/missing\.csv:2: empty text in column 'text' \(skip such rows with skipBadRows\)$/);
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['fine']);
    expect(ds.skippedRows).toEqual([{ where: `${f}:2`, problem: "empty text in column 'text'" }, { where: `${f}:3`, problem: "blank label in column 'label'" }]);
  });

  it('reads a test file whose label column is left blank when labels are optional (texts to score)', async () => {
    const f = file('test.csv', 'id,review,sentiment\r\n1,"great, ""really""",\r\n2,dull,\r\n3,,\r\n');
    const ds = await loadTextDataset(f, { labelsOptional: true, skipBadRows: true });
    expect(ds.texts).toEqual(['great, "really"', 'dull']);
    expect(ds.labels).toEqual([null, null]);
    // A row without its text is still bad: there is nothing to score.
    expect(ds.skippedRows).toEqual([{ where: `${f}:4`, problem: "empty text in column 'review'" }]);
  });
});

describe('a Hugging Face datasets JSON Lines export', () => {
  it('reads int labels, string label names, non-ASCII escapes and extra fields', async () => {
    const ints = await loadTextDataset(file('train.json', '{"text":"caf\\u00e9 \\ud83d\\ude00","label":1,"idx":0}\n{"text":"bad","label":0,"idx":1}\n'));
    expect(ints.texts).toEqual(['café 😀', 'bad']);
    expect(ints.labels).toEqual(['1', '0']);
    const names = await loadTextDataset(file('named.jsonl', '{"label":"pos","text":"good"}\n{"label":"neg","text":"bad"}\n'));
    expect(names.labels).toEqual(['pos', 'neg']);
  });

  it('refuses nested and multi-label fields naming the line and the field', async () => {
    await expect(loadTextDataset(file('nested.jsonl', '{"review":{"body":"good"},"label":1}\n'))).rejects.toThrow(/nested\.jsonl:1: field 'review' must be a non-empty string, got \{"body":"good"\}/);
    // A dotted name reads the nested field (test/data/jsonl_nested_fields.test.ts has the rules).
    expect((await loadTextDataset(file('nested2.jsonl', '{"meta":{"text":"good"},"label":1}\n'), { textColumn: 'meta.text' })).texts).toEqual(['good']);
    await expect(loadTextDataset(file('go_emotions.jsonl', '{"text":"yay","labels":[17,3],"id":"x"}\n')))
      .rejects.toThrow(/go_emotions\.jsonl:1: field 'labels' must be a string or a number, got \[17,3\] \(a list of labels: multi-label data; a classifier here takes one label per row\)/);
    // Ids beyond 2^53 read rounded (9007199254740993 as ...992): refused rather than merged into one class.
    await expect(loadTextDataset(file('big_ids.jsonl', '{"text":"a","label":9007199254740993}\n{"text":"b","label":9007199254740992}\n')))
      .rejects.toThrow(/big_ids\.jsonl:1: field 'label' is a number beyond 2\^53 \(9007199254740992\), which JSON readers round, so distinct labels could merge; write the labels as strings/);
  });

  it("says how to write JSON Lines for pandas's column-keyed to_json() and for pretty-printed JSON", async () => {
    await expect(loadTextDataset(file('df.json', '{"text":{"0":"good","1":"bad"},"label":{"0":1,"1":0}}'))).rejects.toThrow(
      /df\.json:1: field 'text' must be a non-empty string, got \{"0":"good","1":"bad"\} \(one column of a table keyed by row: pandas's to_json\(\) default; write JSON Lines with to_json\(path, orient='records', lines=True\)\)/);
    await expect(loadTextDataset(file('pretty.json', '{\n  "text": "good",\n  "label": 1\n}\n'))).rejects.toThrow(
      /pretty\.json:1: not valid JSON \(.*\): the object goes on over the next lines; JSON Lines needs each object on one line/);
  });

  it('keeps the fields the first row chose, or those named, for every row: a row lacking one is named', async () => {
    const f = file('drift.jsonl', '{"sentence":"a","label":0}\n{"text":"b","sentence":"c","label":1}\n{"text":"d","label":1}\n{"sentence":"e","label":1}\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/drift\.jsonl:3: no text field 'sentence' \(line 1 chose the file's fields\): every row needs it; its fields are "text", "label"/);
    const ds = await loadTextDataset(f, { skipBadRows: true });
    // Row 2 has 'text' too, but the file's text field is 'sentence'.
    expect(ds.texts).toEqual(['a', 'c', 'e']);
    expect(ds.skippedRows.map((r) => r.where)).toEqual([`${f}:3`]);
    // A named field is the file's too, matched as named on the first row.
    const named = file('named-drift.jsonl', '{"Body":"a","y":0}\n{"body":"b","y":1}\n');
    await expect(loadTextDataset(named, { textColumn: 'body', labelColumn: 'y' })).rejects.toThrow(/named-drift\.jsonl:2: no text field 'Body' \(textColumn 'body', read as 'Body' on line 1\): every row needs it; its fields are "body", "y"/);
    await expect(loadTextDataset(file('y-drift.jsonl', '{"text":"a","y":0}\n{"text":"b","Y":1}\n'), { labelColumn: 'y' })).rejects.toThrow(/y-drift\.jsonl:2: no label field 'y' \(labelColumn\): every row needs it; its fields are "text", "Y"/);
    // A reader whose fields are fixed (seq2seq's source and target) names no option.
    await expect(loadTextDataset(named, { textColumn: 'Body', labelColumn: 'y', optionNames: { textColumn: null } })).rejects.toThrow(/named-drift\.jsonl:2: no text field 'Body': every row needs it/);
  });

  it('the first object that can be read chooses, when earlier lines are skipped as bad', async () => {
    const f = file('late.jsonl', '{"text": oops}\n{"review":"a","label":0}\n{"review":"b","label":1}\n');
    const ds = await loadTextDataset(f, { skipBadRows: true });
    expect(ds.texts).toEqual(['a', 'b']);
    expect(ds.where).toEqual([`${f}:2`, `${f}:3`]);
  });

  it('texts to score read each row of the chosen text field, its label present, blank or absent', async () => {
    const ds = await loadTextDataset(file('score.jsonl', '{"text":"a","label":1}\n{"text":"b"}\n{"text":"c","label":null}\n{"text":"d","label":[1]}\n'), { labelsOptional: true });
    expect(ds.texts).toEqual(['a', 'b', 'c', 'd']);
    expect(ds.labels).toEqual(['1', null, null, null]);
  });
});

describe("GLUE's SST-2 TSV", () => {
  it('reads sentence<TAB>label with a header (and an idx column), keeping the trailing space of the text', async () => {
    const f = file('train.tsv', 'sentence\tlabel\nhide new secretions from the parental units \t0\nthe greatest musicians \t1\n');
    const ds = await loadTextDataset(f);
    expect(ds.texts).toEqual(['hide new secretions from the parental units ', 'the greatest musicians ']);
    expect(ds.labels).toEqual(['0', '1']);
    const idx = await loadTextDataset(file('dev.tsv', 'idx\tsentence\tlabel\n0\tit \'s a charming journey . \t1\n'));
    expect(idx.texts).toEqual(["it 's a charming journey . "]);
  });

  it('names a row with a stray tab by its line', async () => {
    await expect(loadTextDataset(file('tab.tsv', 'sentence\tlabel\na\t1\nb\t0\t\n'))).rejects.toThrow(/tab\.tsv:3: wrong number of fields: 3, the header has 2/);
  });
});

describe('a 20 Newsgroups-like folder', () => {
  it('says why files without .txt are not read (as in Keras), naming a few', async () => {
    const dir = tree({ 'alt.atheism/49960': 'From: x', 'alt.atheism/51060': 'y', 'sci.space/60154': 'z' });
    await expect(loadTextDataset(dir)).rejects.toThrow(/no \.txt files in alt\.atheism\/, sci\.space\/; expected DIR\/<class>\/\*\.txt; alt\.atheism\/ holds files such as '49960', '51060', but only files named \*\.txt are examples \(as in Keras's text_dataset_from_directory\): rename them to end in \.txt$/);
    const partly = tree({ 'a/1.txt': 'x', 'b/2': 'y' });
    await expect(loadTextDataset(partly)).rejects.toThrow(/no \.txt files in b\/; every class subfolder needs examples \(or leave it out with classes\); b\/ holds files such as '2'/);
  });

  it('reads .txt and .TXT files, skips hidden ones, and names a Latin-1 file by its byte', async () => {
    const dir = tree({ 'rec/1.TXT': 'ball', 'rec/.DS_Store': 'x', 'rec/._1.txt': 'x', 'sci/2.txt': 'atom', 'sci/3.txt': Buffer.from('caf\xe9', 'latin1') });
    await expect(loadTextDataset(dir)).rejects.toThrow(/sci\/3\.txt:1: the file ends inside a UTF-8 character: byte 0xe9 opens one that never completes \(truncated, or not UTF-8; save the file as UTF-8\)/);
    const ds = await loadTextDataset(dir, { skipBadRows: true });
    expect(ds.texts).toEqual(['ball', 'atom']);
    expect(ds.labels).toEqual(['rec', 'sci']);
    expect(ds.skipped).toBe(1);
  });
});

describe('texts in any script', () => {
  it('keeps CJK, emoji, RTL text and combining marks as written, and splits words as TextVectorization does', async () => {
    const ds = await loadTextDataset(file('uni.csv', 'text,label\n我喜欢这部电影。,pos\n"😀😀 great, film!",pos\nفيلم رائع,pos\nCafe\u0301\u00a0MAL,neg\n'));
    expect(ds.texts).toEqual(['我喜欢这部电影。', '😀😀 great, film!', 'فيلم رائع', 'Cafe\u0301\u00a0MAL']);
    const v = new TextVectorizer({ maxlen: 3 });
    // No spaces in Chinese: one word (Keras splits on whitespace too); only ASCII punctuation is stripped, and
    // combining marks are not composed (e + U+0301 stays two code points, as TensorFlow leaves it).
    expect(ds.texts.map((t) => v.tokenize(t))).toEqual([['我喜欢这部电影。'], ['😀😀', 'great', 'film'], ['فيلم', 'رائع'], ['cafe\u0301', 'mal']]);
  });
});
