/**
 * What every section shares: the full lab, or quick mode (RNNLAB_LAB_QUICK=1, set by `npm run lab -- --quick`)
 * that runs every cell on a small slice of the data with one epoch, so the whole port can be tested in a minute.
 */
export const quick = onOff('RNNLAB_LAB_QUICK');

/** rnnlab's on/off rule for its variables (1/true/yes/on, 0/false/no/off); anything else is an error naming it. */
function onOff(name: string): boolean {
  const v = (process.env[name] ?? '').trim().toLowerCase();
  if (v === '' || ['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  throw new Error(`${name}=${JSON.stringify(process.env[name])} is not valid: it accepts 1, true, yes, on or 0, false, no, off`);
}

/** The notebook's epoch count, or 1 in quick mode. */
export function epochs(notebook: number): number {
  return quick ? 1 : notebook;
}

/** The lab fixes numpy's seed to 1; each section reseeds so it prints the same numbers run alone or in order. */
export const SEED = 1;

/** Python's "%.2f%%" % (x * 100). */
export function percent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
