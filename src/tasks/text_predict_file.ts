/** `rnnlab predict --file PATH|-` in one call: read texts, score them in batches, yield formatted lines in input order. */
import type { TextDatasetOptions } from '../data/text_dataset.js';
import type { ByteSource } from '../data/text_stream.js';
import { loadTextClassifier } from './text_classifier_file.js';
import { formatPredictions, type PredictFormat } from './text_format.js';
import { predictTexts, readTexts, type PredictOptions, type TextInputFormat } from './text_predict.js';

export interface PredictFileOptions extends PredictOptions, Pick<TextDatasetOptions, 'textColumn' | 'skipBadRows' | 'maxLineChars'> {
  /** How the input is laid out: one text per line (default), or the text column of CSV/TSV/JSONL. */
  inputFormat?: TextInputFormat;
  /** What to print (default 'table'). */
  format?: PredictFormat;
  /** What errors call the input (default the path, or 'stdin'). */
  name?: string;
}

/** source: a file path or a byte stream such as process.stdin. */
export async function* predictFile(modelDir: string, source: ByteSource, o: PredictFileOptions = {}): AsyncGenerator<string> {
  const clf = await loadTextClassifier(modelDir);
  const name = o.name ?? (typeof source === 'string' ? source : 'stdin');
  const texts = readTexts(source, o.inputFormat ?? 'lines', name, { textColumn: o.textColumn, skipBadRows: o.skipBadRows, maxLineChars: o.maxLineChars });
  yield* formatPredictions(predictTexts(clf, texts, o), o.format ?? 'table', clf.classes);
}
