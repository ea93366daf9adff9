import { DataError } from './errors.js';
import { readTarFile } from './tar.js';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/** Where a review came from: `aclImdb/<split>/<pos|neg>/<id>_<rating>.txt`. */
export interface ReviewRef {
  split: Split;
  label: 0 | 1;
  id: number;
  rating: number;
  member: string;
}

export interface ScannedReview<T> {
  ref: ReviewRef;
  value: T;
}

const REVIEW_DIR = /^(?:.*\/)?(train|test)\/(pos|neg)\/([^/]+)$/;
const REVIEW_FILE = /^(\d+)_(\d+)\.txt$/;

/**
 * Reads every labelled review of the tarball (the official one, or the same layout without *.feat
 * files), hands each decoded text to `read`, and returns the results per split in a canonical order
 * (negatives then positives, by review id) so that seeded shuffles do not depend on member order.
 */
export async function scanReviews<T>(
  tarPath: string,
  read: (text: string, ref: ReviewRef) => T,
): Promise<Record<Split, ScannedReview<T>[]>> {
  const found: Record<Split, ScannedReview<T>[]> = { train: [], test: [] };
  const seen = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });

  await readTarFile(tarPath, (entry) => {
    const dir = REVIEW_DIR.exec(entry.name);
    if (!dir) return undefined;
    const [, split, polarity, base] = dir;
    // macOS tar adds AppleDouble "._name" companions; they are metadata, not reviews.
    if (base.startsWith('._')) return undefined;
    const unreadable = (why: string) => new DataError(`unreadable review ${entry.name} in ${tarPath}: ${why}`);
    if (entry.type !== '0' && entry.type !== '7') throw unreadable(`not a regular file (tar type '${entry.type}')`);
    const file = REVIEW_FILE.exec(base);
    if (!file) throw unreadable('the name does not follow <id>_<rating>.txt');
    const label = polarity === 'pos' ? 1 : 0;
    const rating = Number(file[2]);
    const ratingFits = label === 1 ? rating >= 7 && rating <= 10 : rating >= 1 && rating <= 4;
    if (!ratingFits) throw unreadable(`rating ${rating} contradicts the folder ${polarity} (pos is 7-10, neg 1-4)`);
    const key = `${split}/${polarity}/${file[1]}`;
    if (seen.has(key)) throw unreadable('the archive holds this review twice');
    seen.add(key);
    const ref: ReviewRef = { split: split as Split, label, id: Number(file[1]), rating, member: entry.name };
    return (data) => {
      let text: string;
      try {
        text = decoder.decode(data);
      } catch {
        throw unreadable('not valid UTF-8');
      }
      found[ref.split].push({ ref, value: read(text, ref) });
    };
  });

  for (const split of SPLITS) {
    for (const label of [0, 1]) {
      if (!found[split].some((r) => r.ref.label === label)) {
        const folder = `aclImdb/${split}/${label === 1 ? 'pos' : 'neg'}/`;
        throw new DataError(`${tarPath} has no reviews under ${folder}: the ${split} split is missing or incomplete`);
      }
    }
    found[split].sort((a, b) => a.ref.label - b.ref.label || a.ref.id - b.ref.id);
  }
  return found;
}
