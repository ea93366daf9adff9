/** JSON Lines: one object per line, e.g. {"text": "...", "label": "pos"}; labels may be strings, numbers or booleans (not mixed). */
import { DataError } from './errors.js';
import { LABEL_COLUMN_NAMES } from './text_columns.js';
import { pickTextAndLabel, SameColumnError } from './text_csv.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { readLines, type ByteSource } from './text_stream.js';

function fieldError(e: unknown): string { return (e as Error).message.replace(/^[^:]*:\d+: /, ''); }

export async function readJsonlRows(source: ByteSource, name: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  let told = false;
  // The reader's own columns in its examples (a seq2seq pairs file reads source and target).
  const example = `{"${options.textColumn ?? 'text'}": "...", "${options.labelColumn ?? 'label'}": "..."}`;
  // JSON numbers and booleans as labels are read as their text; a file mixing them (1 and true) names the row.
  let firstKind: { kind: 'number' | 'boolean'; where: string } | null = null;
  for await (const { text: raw, line } of readLines(source, name, options.maxLineChars)) {
    if (raw.trim() === '') continue;
    const where = `${name}:${line}`;
    if (line === 1 && raw.trimStart().startsWith('[')) {
      throw new DataError(`${where}: this looks like one JSON array; JSON Lines needs one object per line, e.g. ${example}`);
    }
    let obj: unknown;
    try { obj = JSON.parse(raw); } catch (e) {
      sink.bad({ where, problem: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      sink.bad({ where, problem: `expected a JSON object like ${example}` });
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec);
    let textKey: string, labelKey: string | null = null;
    try {
      // A key of a label name that is the text column given is no label (predict --text-column label).
      const textGiven = options.textColumn?.trim().toLowerCase();
      const labelled = !options.labelsOptional || options.labelColumn ||
        keys.some((k) => LABEL_COLUMN_NAMES.includes(k.trim().toLowerCase() as never) && k.trim().toLowerCase() !== textGiven);
      ({ text: textKey, label: labelKey } = pickTextAndLabel(keys, { ...options, labelsOptional: !labelled }, where));
    } catch (e) {
      if (e instanceof SameColumnError) throw e;
      sink.bad({ where, problem: fieldError(e) });
      continue;
    }
    if (!told) { sink.columns?.(textKey, labelKey); told = true; }
    const text = rec[textKey];
    const label = labelKey === null ? null : rec[labelKey];
    if (typeof text !== 'string' || text.trim() === '') sink.bad({ where, problem: `field '${textKey}' must be a non-empty string` });
    else if (label === null && labelKey !== null) sink.bad({ where, problem: `blank label in field '${labelKey}'` });
    else if (label !== null && typeof label !== 'string' && !(typeof label === 'number' && Number.isFinite(label)) && typeof label !== 'boolean') {
      sink.bad({ where, problem: `field '${labelKey}' must be a string or a number, got ${JSON.stringify(label)}` });
    } else if (label !== null && String(label).trim() === '') sink.bad({ where, problem: `blank label in field '${labelKey}'` });
    else if ((typeof label === 'number' || typeof label === 'boolean') && firstKind && firstKind.kind !== typeof label) {
      sink.bad({ where, problem: `field '${labelKey}' is ${JSON.stringify(label)}, a ${typeof label}, but the label of ${firstKind.where} is a ${firstKind.kind}; ` +
        'write the labels one way (numbers, true/false, or strings)' });
    } else {
      if ((typeof label === 'number' || typeof label === 'boolean') && !firstKind) firstKind = { kind: typeof label as 'number' | 'boolean', where };
      sink.row({ text, label: label === null ? null : options.labelAsWritten ? String(label) : String(label).trim(), where });
    }
  }
}
