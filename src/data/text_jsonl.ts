/** JSON Lines: one object per line, e.g. {"text": "...", "label": "pos"}; labels may be strings or numbers. */
import { DataError } from './errors.js';
import { LABEL_COLUMN_NAMES, pickColumn, TEXT_COLUMN_NAMES } from './text_columns.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { readLines, type ByteSource } from './text_stream.js';

function fieldError(e: unknown): string { return (e as Error).message.replace(/^[^:]*:\d+: /, ''); }

export async function readJsonlRows(source: ByteSource, name: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  for await (const { text: raw, line } of readLines(source, name, options.maxLineChars)) {
    if (raw.trim() === '') continue;
    const where = `${name}:${line}`;
    if (line === 1 && raw.trimStart().startsWith('[')) {
      throw new DataError(`${where}: this looks like one JSON array; JSON Lines needs one object per line, e.g. {"text": "...", "label": "..."}`);
    }
    let obj: unknown;
    try { obj = JSON.parse(raw); } catch (e) {
      sink.bad({ where, problem: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      sink.bad({ where, problem: 'expected a JSON object like {"text": "...", "label": "..."}' });
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec);
    let textKey: string, labelKey: string | null = null;
    try {
      textKey = pickColumn(keys, { given: options.textColumn ?? null, defaults: TEXT_COLUMN_NAMES, role: 'text', option: 'textColumn / --text-column' }, where);
      if (!options.labelsOptional || options.labelColumn || keys.some((k) => LABEL_COLUMN_NAMES.includes(k.toLowerCase() as never))) {
        labelKey = pickColumn(keys, { given: options.labelColumn ?? null, defaults: LABEL_COLUMN_NAMES, role: 'label', option: 'labelColumn / --label-column' }, where);
      }
    } catch (e) {
      sink.bad({ where, problem: fieldError(e) });
      continue;
    }
    const text = rec[textKey];
    const label = labelKey === null ? null : rec[labelKey];
    if (typeof text !== 'string' || text.trim() === '') sink.bad({ where, problem: `field '${textKey}' must be a non-empty string` });
    else if (label === null && labelKey !== null) sink.bad({ where, problem: `blank label in field '${labelKey}'` });
    else if (label !== null && typeof label !== 'string' && !(typeof label === 'number' && Number.isFinite(label)) && typeof label !== 'boolean') {
      sink.bad({ where, problem: `field '${labelKey}' must be a string or a number, got ${JSON.stringify(label)}` });
    } else if (label !== null && String(label).trim() === '') sink.bad({ where, problem: `blank label in field '${labelKey}'` });
    else sink.row({ text, label: label === null ? null : String(label).trim(), where });
  }
}
