/** Keras's CSVLogger: one row per epoch (epoch, then the logs' keys sorted) in a CSV file. */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Callback } from '../models/callback.js';
import type { Logs } from '../models/progress.js';
import { checkOptionKeys } from '../near_name.js';

export class CSVLogger implements Callback {
  private keys: string[] | null = null;
  constructor(readonly filename: string, private readonly opts: { separator?: string; append?: boolean } = {}) {
    if (typeof filename !== 'string' || !filename) throw new Error('CSVLogger: filename must be a non-empty path');
    checkOptionKeys('CSVLogger', opts, ['separator', 'append'], { undefinedIsAbsent: false });
  }
  onTrainBegin(): void {
    this.keys = null;
    if (!this.opts.append) writeFileSync(this.filename, '');
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const sep = this.opts.separator ?? ',';
    const fresh = this.keys === null;
    this.keys ??= Object.keys(logs).sort();
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].join(sep);
    appendFileSync(this.filename, `${fresh && !this.opts.append ? `${['epoch', ...this.keys].join(sep)}\n` : ''}${row}\n`);
  }
}
