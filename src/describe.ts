/** Error-message wording shared by layers, initializers, regularizers, constraints and the loaders. */

/** A bad value in words for error messages (never '[object Object]', never a whole file). */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** A list as an error message shows it: its JSON, cut short ([null,0,4]); a list that JSON cannot write is 'an array'. */
export function shownList(v: unknown[]): string {
  let text: string | undefined;
  try { text = JSON.stringify(v); } catch { text = undefined; }
  if (text === undefined) return describe(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
