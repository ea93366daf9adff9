/** RNNLAB_PROFILE=1 on any command: the kernel time table, printed to stderr when the command ends. */
import { profileReport } from '../backend/index.js';

export function profileTable(rows: { kernel: string; calls: number; ms: number }[]): string {
  if (rows.length === 0) return 'kernel profile (RNNLAB_PROFILE): no kernel ran\n';
  const total = rows.reduce((s, r) => s + r.ms, 0);
  const width = Math.max(6, ...rows.map((r) => r.kernel.length));
  const line = (k: string, calls: string, ms: string, pct: string) => `${k.padEnd(width)}  ${calls.padStart(9)}  ${ms.padStart(11)}  ${pct.padStart(6)}\n`;
  return `kernel profile (RNNLAB_PROFILE), largest first:\n${line('kernel', 'calls', 'ms', '%')}`
    + rows.map((r) => line(r.kernel, String(r.calls), r.ms.toFixed(1), (total > 0 ? (100 * r.ms) / total : 0).toFixed(1))).join('')
    + line('total', String(rows.reduce((s, r) => s + r.calls, 0)), total.toFixed(1), '100.0');
}

export function writeProfile(err: { write(s: string): unknown }): void {
  err.write(profileTable(profileReport(true)));
}
