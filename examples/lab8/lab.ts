/**
 * What every section shares: the full lab, or quick mode (RNNLAB_LAB_QUICK=1, set by `npm run lab -- --quick`)
 * that runs every cell on a small slice of the data with one epoch, so the whole port can be tested in a minute.
 */
import * as rl from 'rnnlab';

// rnnlab's own on/off rule (1/true/yes/on, 0/false/no/off; anything else is an error naming the variable).
export const quick = rl.environment.flag('RNNLAB_LAB_QUICK');

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
