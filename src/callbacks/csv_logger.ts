/**
 * Keras 3's CSVLogger: one row per epoch (epoch, then the first epoch's log keys sorted; a key missing from a later
 * epoch's logs is 'NA') in a CSV file.
 */
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import type { Logs } from '../models/progress.js';
import { checkOptionKeys } from '../near_name.js';
import { BaseCallback } from './base.js';

export class CSVLogger extends BaseCallback {
  private keys: string[] | null = null;
  /** Whether the first row must bring the header: always when writing afresh; when appending, only to a new or empty file (Keras). */
  private needsHeader = true;
  constructor(readonly filename: string, private readonly opts: { separator?: string; append?: boolean } = {}) {
    super();
    if (typeof filename !== 'string' || !filename) throw new Error('CSVLogger: filename must be a non-empty path');
    checkOptionKeys('CSVLogger', opts, ['separator', 'append'], { undefinedIsAbsent: false });
    const { separator, append } = opts ?? {};
    if (separator !== undefined && (typeof separator !== 'string' || separator === '')) throw new Error(`CSVLogger: separator must be a non-empty string, got ${JSON.stringify(separator)}`);
    if (append !== undefined && typeof append !== 'boolean') throw new Error(`CSVLogger: append must be true or false, got ${JSON.stringify(append)}`);
  }
  onTrainBegin(): void {
    this.keys = null;
    if (this.opts.append) this.needsHeader = !existsSync(this.filename) || statSync(this.filename).size === 0;
    else {
      this.needsHeader = true;
      writeFileSync(this.filename, '');
    }
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const sep = this.opts.separator ?? ',';
    this.keys ??= Object.keys(logs).sort();
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].join(sep);
    appendFileSync(this.filename, `${this.needsHeader ? `${['epoch', ...this.keys].join(sep)}\n` : ''}${row}\n`);
    this.needsHeader = false;
  }
}
