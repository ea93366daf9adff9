/**
 * JSON Lines: one object per line, e.g. {"text": "...", "label": "pos"}; labels may be strings, numbers or booleans
 * (not mixed). The fields read as the text and the label are chosen once per file, by the first object (or named by
 * the options), as a CSV's header chooses its columns: a later row lacking one of them is a bad row naming its line,
 * never read from some other field that happens to match a default name.
 */
import { DataError } from './errors.js';
import { LABEL_COLUMN_NAMES } from './text_columns.js';
import { optionName } from './text_options.js';
import { pickTextAndLabel, SameColumnError } from './text_csv.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { readLines, type ByteSource } from './text_stream.js';

function fieldError(e: unknown): string { return (e as Error).message.replace(/^[^:]*:\d+: /, ''); }

/** The fields a file's first object chose, and its line, for the messages of later rows. */
interface FileKeys { text: string; label: string | null; line: number }

/** A JSON value for a message, cut short (a nested record can be long). */
function shown(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function fieldList(keys: readonly string[]): string {
  return keys.length ? `its fields are ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'it has no fields';
}

/** What chose a field, for the message of a row lacking it: the option that named it, else the file's first row. */
function chosenBy(options: TextDatasetOptions, key: 'textColumn' | 'labelColumn', field: string, chosenLine: number, line: number): string {
  const given = options[key];
  if (given) {
    const flag = optionName(options.optionNames, key);
    // A name given in other case or spacing matched the first row's field (pickColumn): that spelling holds for the file.
    const as = given === field ? '' : ` '${given}', read as '${field}' on line ${chosenLine}`;
    return flag ? ` (${flag}${as})` : '';
  }
  return chosenLine === line ? '' : ` (line ${chosenLine} chose the file's fields)`;
}

/** The fields of the file's first object (pickTextAndLabel's rules; labels optional only where the options say so). */
function chooseKeys(keys: readonly string[], options: TextDatasetOptions, where: string): { text: string; label: string | null } {
  // A key of a label name that is the text column given is no label (predict --text-column label).
  const textGiven = options.textColumn?.trim().toLowerCase();
  const labelled = !options.labelsOptional || options.labelColumn ||
    keys.some((k) => LABEL_COLUMN_NAMES.includes(k.trim().toLowerCase() as never) && k.trim().toLowerCase() !== textGiven);
  return pickTextAndLabel(keys, { ...options, labelsOptional: !labelled }, where);
}

/**
 * pandas's df.to_json(path) writes by column by default, {"text": {"0": ..., "1": ...}, "label": {...}}: one line
 * whose text field is an object keyed by row numbers. Saying how to write JSON Lines beats "must be a string".
 */
function pandasColumnsHint(text: unknown): string {
  if (typeof text !== 'object' || text === null || Array.isArray(text)) return '';
  const keys = Object.keys(text);
  if (keys.length === 0 || !keys.every((k) => /^\d+$/.test(k))) return '';
  return " (one column of a table keyed by row: pandas's to_json() default; write JSON Lines with to_json(path, orient='records', lines=True))";
}

/** Why a row's label cannot be read, or null. */
function labelProblem(label: unknown, labelKey: string, firstKind: { kind: string; where: string } | null): string | null {
  if (label === null || (typeof label === 'string' && label.trim() === '')) return `blank label in field '${labelKey}'`;
  if (typeof label !== 'string' && !(typeof label === 'number' && Number.isFinite(label)) && typeof label !== 'boolean') {
    // A list is how multi-label sets (go_emotions' labels: [27, 3]) are written: one label per row is what trains.
    const list = Array.isArray(label) ? ' (a list of labels: multi-label data; a classifier here takes one label per row)' : '';
    return `field '${labelKey}' must be a string or a number, got ${shown(label)}${list}`;
  }
  if ((typeof label === 'number' || typeof label === 'boolean') && firstKind && firstKind.kind !== typeof label) {
    return `field '${labelKey}' is ${JSON.stringify(label)}, a ${typeof label}, but the label of ${firstKind.where} is a ${firstKind.kind}; ` +
      'write the labels one way (numbers, true/false, or strings)';
  }
  return null;
}

export async function readJsonlRows(source: ByteSource, name: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  // The reader's own columns in its examples (a seq2seq pairs file reads source and target).
  const example = `{"${options.textColumn ?? 'text'}": "...", "${options.labelColumn ?? 'label'}": "..."}`;
  // JSON numbers and booleans as labels are read as their text; a file mixing them (1 and true) names the row.
  let firstKind: { kind: 'number' | 'boolean'; where: string } | null = null;
  let chosen: FileKeys | null = null;
  for await (const { text: raw, line } of readLines(source, name, options.maxLineChars)) {
    if (raw.trim() === '') continue;
    const where = `${name}:${line}`;
    if (line === 1 && raw.trimStart().startsWith('[')) {
      throw new DataError(`${where}: this looks like one JSON array; JSON Lines needs one object per line, e.g. ${example}`);
    }
    let obj: unknown;
    try { obj = JSON.parse(raw); } catch (e) {
      // json.dump(indent=2) and pretty-printed exports spread one object over lines; JSON Lines has one a line.
      const spread = chosen === null && /^\s*\{\s*$/.test(raw) ? ': the object goes on over the next lines; JSON Lines needs each object on one line' : '';
      sink.bad({ where, problem: `not valid JSON (${(e as Error).message})${spread}` });
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      sink.bad({ where, problem: `expected a JSON object like ${example}` });
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec);
    if (chosen === null) {
      try {
        chosen = { ...chooseKeys(keys, options, where), line };
      } catch (e) {
        if (e instanceof SameColumnError) throw e;
        sink.bad({ where, problem: fieldError(e) });
        continue;
      }
      sink.columns?.(chosen.text, chosen.label);
    }
    const textKey = chosen.text, labelKey = chosen.label;
    if (!Object.hasOwn(rec, textKey)) {
      sink.bad({ where, problem: `no text field '${textKey}'${chosenBy(options, 'textColumn', textKey, chosen.line, line)}: every row needs it; ${fieldList(keys)}` });
      continue;
    }
    // Labels are optional only for texts to score (predict): there a row without its label is read all the same.
    if (labelKey !== null && !Object.hasOwn(rec, labelKey) && !options.labelsOptional) {
      sink.bad({ where, problem: `no label field '${labelKey}'${chosenBy(options, 'labelColumn', labelKey, chosen.line, line)}: every row needs it; ${fieldList(keys)}` });
      continue;
    }
    const text = rec[textKey];
    if (typeof text !== 'string' || text.trim() === '') {
      sink.bad({ where, problem: `field '${textKey}' must be a non-empty string${typeof text === 'string' ? '' : `, got ${shown(text)}`}${pandasColumnsHint(text)}` });
      continue;
    }
    const label = labelKey === null ? null : rec[labelKey] ?? null;
    const problem = labelKey === null ? null : labelProblem(label, labelKey, firstKind);
    // Texts to score (predict) ignore their labels: a blank or odd one does not make the row bad.
    if (problem !== null && options.labelsOptional) { sink.row({ text, label: null, where }); continue; }
    if (problem !== null) { sink.bad({ where, problem }); continue; }
    if ((typeof label === 'number' || typeof label === 'boolean') && !firstKind) firstKind = { kind: typeof label as 'number' | 'boolean', where };
    sink.row({ text, label: label === null ? null : options.labelAsWritten ? String(label) : String(label).trim(), where });
  }
}
