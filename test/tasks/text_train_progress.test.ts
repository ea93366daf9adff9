/** trainTextClassifier's progress writer: given alone it receives Keras's progress lines; verbose 0 keeps it silent. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainTextClassifier } from '../../src/tasks/text_train.js';
import { topicTexts, writeJsonl } from './helpers.js';

describe('trainTextClassifier progress', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-text-progress-'));
  const data = writeJsonl(root, 'topics.jsonl', topicTexts(40, 1));
  const run = async (verbose?: 0 | 1 | 2) => {
    let text = '';
    await trainTextClassifier({ data, model: 'ff_embed', epochs: 2, batchSize: 16, seed: 1, progress: { write: (s: string) => { text += s; } }, ...(verbose === undefined ? {} : { verbose }) });
    return text;
  };

  it('a writer given without verbose gets the epoch lines; verbose 0 writes nothing', async () => {
    const alone = await run();
    expect(alone).toMatch(/Epoch 1\/2/);
    expect(alone).toMatch(/Epoch 2\/2/);
    expect(await run(0)).toBe('');
  });
});
