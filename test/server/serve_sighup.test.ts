/**
 * `rnnlab serve` stops on SIGHUP (a closed terminal) as it does on SIGTERM and Ctrl-C: exit 0, the running job
 * cancelled in its folder, where Node's default would end it at once with exit 129 and leave the folder `running`.
 * Sent to the whole process group, as a terminal's hangup reaches the job's process too, the job is still a cancel.
 * Runs the compiled CLI (bin/rnnlab.js, dist/), so dist/ must be current.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveWithTrainingJob, tempDir } from './helpers.js';

describe.skipIf(process.platform !== 'linux')('rnnlab serve stopped by SIGHUP while a job trains', () => {
  it('to the server alone: exit 0, the stop message, the job cancelled in its folder', async () => {
    const runsDir = tempDir();
    const { proc, output, exited, running } = await serveWithTrainingJob(runsDir);
    try {
      proc.kill('SIGHUP');
      expect(await exited).toBe(0);
      expect(output.out).toMatch(/^Stopping: cancelling the running job \S+ \(job-[\w-]+\); no jobs are waiting\.$/m);
      const rec = JSON.parse(readFileSync(join(runsDir, running.runId, 'results.json'), 'utf8'));
      expect(rec).toMatchObject({ status: 'cancelled', error: null });
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });

  it("to the process group, as a closed terminal's hangup: the job's process stops as a cancel too", async () => {
    const runsDir = tempDir();
    const { proc, exited, running } = await serveWithTrainingJob(runsDir, true);
    try {
      process.kill(-proc.pid!, 'SIGHUP');
      expect(await exited).toBe(0);
      const rec = JSON.parse(readFileSync(join(runsDir, running.runId, 'results.json'), 'utf8'));
      expect(rec).toMatchObject({ status: 'cancelled', error: null });
    } finally {
      if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGKILL');
    }
  });
});
