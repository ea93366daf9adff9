/**
 * JSON Lines: one object per line, e.g. {"text": "...", "label": "pos"}; labels may be strings, numbers or booleans
 * (not mixed). The fields read as the text and the label are chosen once per file, by the first object (or named by
 * the options), as a CSV's header chooses its columns: a later row lacking one of them is a bad row naming its line,
 * never read from some other field that happens to match a default name. A named field may be a dotted path through
 * nested objects (`meta.text` for {"meta": {"text": ...}}): see fieldPath.
 */
import { DataError } from './errors.js';
import { LABEL_COLUMN_NAMES } from './text_columns.js';
import { optionName, optionWithValue } from './text_options.js';
import { pickTextAndLabel, SameColumnError } from './text_csv.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { readLines, type ByteSource } from './text_stream.js';

function fieldError(e: unknown): string { return (e as Error).message.replace(/^[^:]*:\d+: /, ''); }

/** The fields a file's first object chose, and its line, for the messages of later rows; paths: the keys a dotted name follows. */
interface FileKeys { text: string; label: string | null; line: number; paths: Map<string, string[]> }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key of obj called name: itself, or else the one key equal to it in any case (as a CSV column is matched). */
function keyNamed(obj: Record<string, unknown>, name: string): string | null {
  if (Object.hasOwn(obj, name)) return name;
  const want = name.trim().toLowerCase();
  const found = Object.keys(obj).filter((k) => k.trim().toLowerCase() === want);
  return found.length === 1 ? found[0] : null;
}

/**
 * The keys a dotted name follows through nested objects ({"meta": {"text": ...}} for `meta.text`), or null when it
 * names nothing. Keras users' records often nest their fields. A key that itself holds a dot stays reachable: at each
 * level the longest run of the name's parts that is a key of that object is taken (so an exact top-level key
 * `meta.text` wins over the path). A list on the way is refused: which of its items is meant is unclear.
 */
function fieldPath(rec: Record<string, unknown>, name: string, role: string, flag: string | null): string[] | null {
  const parts = name.split('.');
  const keys: string[] = [];
  let at: unknown = rec;
  for (let i = 0; i < parts.length;) {
    if (Array.isArray(at)) throw new Error(`the ${role} field '${name}'${flag ? ` (${flag})` : ''} goes through '${keys.join('.')}', a list: a path through a list is not read; give each row its own field`);
    if (!isRecord(at)) return null;
    let j = parts.length, key: string | null = null;
    while (j > i && (key = keyNamed(at, parts.slice(i, j).join('.'))) === null) j--;
    if (key === null) return null;
    keys.push(key);
    at = at[key];
    i = j;
  }
  return keys;
}

/** A row's value at the keys of a path: the value, or why there is none (the object that lacks the next key, or a list). */
type Lookup = { value: unknown } | { above: string; key: string; fields: string[] | null } | { list: string };

function valueAt(rec: Record<string, unknown>, keys: readonly string[]): Lookup {
  let at: unknown = rec;
  for (let i = 0; i < keys.length; i++) {
    const above = keys.slice(0, i).join('.');
    if (Array.isArray(at)) return { list: above };
    if (!isRecord(at) || !Object.hasOwn(at, keys[i])) return { above, key: keys[i], fields: isRecord(at) ? Object.keys(at) : null };
    at = at[keys[i]];
  }
  return { value: at };
}

/**
 * A number JSON.parse read as Infinity: one written beyond float64's range (1e400), which JSON.stringify would show as
 * null.
 */
const INFINITE = 'a number too large for float64 (JSON reads it as Infinity)';

/** A JSON value for a message, cut short (a nested record can be long). */
function shown(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return INFINITE;
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
    if (flag) return ` (${flag}${given === field ? '' : ` '${given}', read as '${field}' on line ${chosenLine}`})`;
    // A reader's fixed field (a pairs file's 'source') has no flag to name: the first row's spelling of it is the reason.
    return given === field ? '' : ` (line ${chosenLine} writes '${given}' as '${field}', which holds for the whole file)`;
  }
  return chosenLine === line ? '' : ` (line ${chosenLine} chose the file's fields)`;
}

/** The fields of the file's first object (pickTextAndLabel's rules; labels optional only where the options say so). */
function chooseKeys(rec: Record<string, unknown>, options: TextDatasetOptions, where: string): Omit<FileKeys, 'line'> {
  const keys = Object.keys(rec);
  // A key of a label name that is the text column given is no label (predict --text-column label).
  const textGiven = options.textColumn?.trim().toLowerCase();
  const labelled = !options.labelsOptional || options.labelColumn ||
    keys.some((k) => LABEL_COLUMN_NAMES.includes(k.trim().toLowerCase() as never) && k.trim().toLowerCase() !== textGiven);
  // A given name with a dot that no top-level key matches (in any case, as pickColumn matches) is a nested path.
  const paths = new Map<string, string[]>();
  const available = [...keys];
  for (const [opt, role] of [['textColumn', 'text'], ['labelColumn', 'label']] as const) {
    const given = options[opt];
    if (!given || !given.includes('.') || keys.some((k) => k.trim().toLowerCase() === given.trim().toLowerCase())) continue;
    const flag = optionName(options.optionNames, opt);
    let path: string[] | null;
    try { path = fieldPath(rec, given, role, flag); } catch (e) { throw new DataError(`${where}: ${(e as Error).message}`); }
    if (path === null) throw new DataError(`${where}: no ${role} field '${given}'${flag ? ` (${flag})` : ''}: ${nestedMiss(rec, given)}`);
    paths.set(given, path);
    available.push(given);
  }
  return { ...pickTextAndLabel(available, { ...options, labelsOptional: !labelled }, where), paths };
}

/** Where a dotted name stops matching the first object, for its message. */
function nestedMiss(rec: Record<string, unknown>, name: string): string {
  const parts = name.split('.');
  let at: Record<string, unknown> = rec;
  let i = 0;
  for (; i < parts.length - 1 && isRecord(at[parts[i]]); i++) at = at[parts[i]] as Record<string, unknown>;
  if (i < parts.length - 1 && Object.hasOwn(at, parts[i])) return `'${parts.slice(0, i + 1).join('.')}' is ${shown(at[parts[i]])}, not an object with fields`;
  const where = i === 0 ? 'the row' : `'${parts.slice(0, i).join('.')}'`;
  return `${where} has no field '${parts[i]}'; ${fieldList(Object.keys(at))}`;
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

/**
 * A first line that reads as a CSV or TSV header: how to read the file so, by its format option, or where the caller
 * has none (train's --validation takes its format from its name only) by the name that reads it so.
 */
function otherFormatHint(raw: string, options: TextDatasetOptions): string {
  const kind = raw.includes('\t') ? 'tsv' : raw.includes(',') ? 'csv' : null;
  if (kind === null) return '';
  const flag = optionWithValue(options.optionNames, 'format', kind);
  return `; it looks like a ${kind.toUpperCase()} header: ${flag ? `read the file as ${kind} (${flag})` : `name the file .${kind} to read it as ${kind.toUpperCase()}`}`;
}

/** An object where the text should be ({"review": {"body": ...}}): its string field is named by a dotted path. */
function nestedHint(text: unknown, textKey: string, options: TextDatasetOptions): string {
  if (!isRecord(text)) return '';
  const inner = Object.keys(text).find((k) => typeof text[k] === 'string');
  const flag = optionName(options.optionNames, 'textColumn');
  return inner === undefined || flag === null ? '' : ` (a nested object: name the field inside it with a dotted path, e.g. ${flag} ${JSON.stringify(`${textKey}.${inner}`)})`;
}

/** Why a row's label cannot be read, or null. */
function labelProblem(label: unknown, labelKey: string, firstKind: { kind: string; where: string } | null): string | null {
  if (label === null || (typeof label === 'string' && label.trim() === '')) return `blank label in field '${labelKey}'`;
  if (typeof label === 'number' && !Number.isFinite(label)) return `field '${labelKey}' is ${INFINITE}; write the labels as strings`;
  if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
    // A list is how multi-label sets (go_emotions' labels: [27, 3]) are written: one label per row is what trains.
    const list = Array.isArray(label) ? ' (a list of labels: multi-label data; a classifier here takes one label per row)' : '';
    return `field '${labelKey}' must be a string or a number, got ${shown(label)}${list}`;
  }
  // JSON numbers beyond 2^53 are rounded when read, so two different labels could become one class unseen.
  if (typeof label === 'number' && Math.abs(label) > Number.MAX_SAFE_INTEGER) {
    return `field '${labelKey}' is a number beyond 2^53 (${label}), which JSON readers round, so distinct labels could merge; write the labels as strings`;
  }
  if ((typeof label === 'number' || typeof label === 'boolean') && firstKind && firstKind.kind !== typeof label) {
    return `field '${labelKey}' is ${JSON.stringify(label)}, a ${typeof label}, but the label of ${firstKind.where} is a ${firstKind.kind}; ` +
      'write the labels one way (numbers, true/false, or strings)';
  }
  return null;
}

/**
 * Why a label read as written (a pairs file's target: text kept as it is, not a class) cannot be read, or null. Only
 * a string is text: null, a list or an object is a value of the wrong kind, and JSON.parse keeps no number's or
 * true/false's text (2.0 and 2 read alike), so those must be written in quotes.
 */
function writtenLabelProblem(label: unknown, labelKey: string): string | null {
  if (typeof label === 'string') return label.trim() === '' ? `blank label in field '${labelKey}'` : null;
  const why = typeof label === 'number' && !Number.isFinite(label) ? '; write it in quotes'
    : typeof label === 'number' || typeof label === 'boolean' ? " (JSON keeps no number's or true/false's text as written: 2.0 reads as 2); write it in quotes"
      // A list of tokens is the usual slip: the text is one string, which the tokens setting splits.
      : Array.isArray(label) ? ' (a list: write it as one string, e.g. its words joined by spaces)' : '';
  return `field '${labelKey}' must be a string, got ${shown(label)}${why}`;
}

/** Why a row has no value at a field's keys: every row needs it, and what the row holds there instead. */
function missing(found: Exclude<Lookup, { value: unknown }>, topKeys: readonly string[]): string {
  if ('list' in found) return `'${found.list}' is a list on this line: a path through a list is not read`;
  if (found.above === '') return `every row needs it; ${fieldList(topKeys)}`;
  if (found.fields === null) return `every row needs it; '${found.above}' is not an object here`;
  return `every row needs it; '${found.above}' has no field '${found.key}': ${fieldList(found.fields)}`;
}

export async function readJsonlRows(source: ByteSource, name: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  // The reader's own columns in its examples (a seq2seq pairs file reads source and target).
  const example = `{"${options.textColumn ?? 'text'}": "...", "${options.labelColumn ?? 'label'}": "..."}`;
  // JSON numbers and booleans as labels are read as their text; a file mixing them (1 and true) names the row.
  let firstKind: { kind: 'number' | 'boolean'; where: string } | null = null;
  let chosen: FileKeys | null = null;
  // A line other than blank ones has been read: the first such line is where a file that is no JSON Lines shows.
  let sawLine = false;
  for await (const { text: raw, line } of readLines(source, name, options.maxLineChars)) {
    if (raw.trim() === '') continue;
    const where = `${name}:${line}`;
    if (line === 1 && raw.trimStart().startsWith('[')) {
      throw new DataError(`${where}: this looks like one JSON array; JSON Lines needs one object per line, e.g. ${example}`);
    }
    let obj: unknown;
    try { obj = JSON.parse(raw); } catch (e) {
      const problem = `not valid JSON (${(e as Error).message})`;
      // The file's shape rather than one row (every row would be bad, so skipping rows cannot help): thrown as
      // is, without the caller's "skip such rows" hint, as a CSV's bad header is. json.dump(indent=2) and other
      // pretty-printed exports spread one object over lines, and a first line that is no object at all (a CSV
      // header read with format jsonl) is no JSON Lines file.
      if (chosen === null && !sawLine && /^\s*\{\s*$/.test(raw)) throw new DataError(`${where}: ${problem}: the object goes on over the next lines; JSON Lines needs each object on one line, e.g. ${example}`);
      if (chosen === null && !sawLine && !raw.trimStart().startsWith('{')) throw new DataError(`${where}: ${problem}: the file does not start with a JSON object, so it is not JSON Lines${otherFormatHint(raw, options)}`);
      sawLine = true;
      sink.bad({ where, problem });
      continue;
    }
    sawLine = true;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      sink.bad({ where, problem: `expected a JSON object like ${example}` });
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec);
    if (chosen === null) {
      try {
        chosen = { ...chooseKeys(rec, options, where), line };
      } catch (e) {
        if (e instanceof SameColumnError) throw e;
        sink.bad({ where, problem: fieldError(e) });
        continue;
      }
      sink.columns?.(chosen.text, chosen.label);
    }
    const textKey = chosen.text, labelKey = chosen.label;
    const paths = chosen.paths;
    const found = valueAt(rec, paths.get(textKey) ?? [textKey]);
    if (!('value' in found)) {
      sink.bad({ where, problem: `no text field '${textKey}'${chosenBy(options, 'textColumn', textKey, chosen.line, line)}: ${missing(found, keys)}` });
      continue;
    }
    const labelFound = labelKey === null ? null : valueAt(rec, paths.get(labelKey) ?? [labelKey]);
    // Labels are optional only for texts to score (predict): there a row without its label is read all the same.
    if (labelKey !== null && labelFound !== null && !('value' in labelFound) && !options.labelsOptional) {
      sink.bad({ where, problem: `no label field '${labelKey}'${chosenBy(options, 'labelColumn', labelKey, chosen.line, line)}: ${missing(labelFound, keys)}` });
      continue;
    }
    const text = found.value;
    // The field the file's first row chose holds an object there (a nested record, or pandas's column-keyed table):
    // the field is the wrong one for the file, not this row, so it is said as the file's problem (no skip hint).
    if (chosen.line === line && isRecord(text)) {
      throw new DataError(`${where}: field '${textKey}' must be a non-empty string, got ${shown(text)}${pandasColumnsHint(text) || nestedHint(text, textKey, options)}`);
    }
    if (typeof text !== 'string' || text.trim() === '') {
      sink.bad({ where, problem: `field '${textKey}' must be a non-empty string${typeof text === 'string' ? '' : `, got ${shown(text)}`}${pandasColumnsHint(text) || nestedHint(text, textKey, options)}` });
      continue;
    }
    const label = labelFound !== null && 'value' in labelFound ? labelFound.value ?? null : null;
    const problem = labelKey === null ? null : options.labelAsWritten && labelFound !== null && 'value' in labelFound
      ? writtenLabelProblem(labelFound.value, labelKey) : labelProblem(label, labelKey, firstKind);
    // Texts to score (predict) ignore their labels: a blank or odd one does not make the row bad.
    if (problem !== null && options.labelsOptional) { sink.row({ text, label: null, where }); continue; }
    if (problem !== null) { sink.bad({ where, problem }); continue; }
    if ((typeof label === 'number' || typeof label === 'boolean') && !firstKind) firstKind = { kind: typeof label as 'number' | 'boolean', where };
    sink.row({ text, label: label === null ? null : options.labelAsWritten ? String(label) : String(label).trim(), where });
  }
}
