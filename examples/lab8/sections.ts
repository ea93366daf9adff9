/** The lab's sections in the notebook's order: what `npm run lab`, the notebook generator and the dashboard list. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LabSection {
  /** 1-based, as `npm run lab -- <id>` takes it. */
  id: number;
  title: string;
  /** The TypeScript file in examples/lab8. */
  file: string;
}

export const LAB_SECTIONS: readonly LabSection[] = ([
  ['01_tokenization.ts', 'Tokenization'],
  ['02_load_imdb.ts', 'Load and preprocess IMDb'],
  ['03_model_1a.ts', 'Model 1A: feed-forward network without embeddings'],
  ['04_model_1b.ts', 'Model 1B: feed-forward network with embeddings'],
  ['05_model_2_cnn.ts', 'Model 2: convolutional neural network (CNN)'],
  ['06_model_3_simple_rnn.ts', 'Model 3: SimpleRNN'],
  ['07_model_4_lstm.ts', 'Model 4: LSTM'],
  ['08_model_5_cnn_lstm.ts', 'Model 5: CNN + LSTM'],
  ['09_addition_data.ts', 'Addition: data generation with CharacterTable'],
  ['10_timedistributed_repeatvector.ts', 'TimeDistributed and RepeatVector'],
  ['11_seq2seq.ts', 'Addition: the seq2seq model and its Question/True/Guess loop'],
  ['12_exercise_hyperparams.ts', 'Exercise: other RNNs, more layers, more epochs'],
  ['13_exercise_reversed.ts', 'Exercise: reversed inputs'],
  ['14_exercise_commutativity.ts', 'Exercise: commutativity of hidden states'],
  ['15_exercise_digit_by_digit.ts', 'Exercise: digit-by-digit addition'],
] as const).map(([file, title], i) => ({ id: i + 1, title, file }));

/**
 * examples/lab8 as a folder: this file's own when run from source, else (compiled into dist/examples/lab8)
 * the source folder three levels up.
 */
export function labSourceDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return existsSync(join(here, LAB_SECTIONS[0].file)) ? here : resolve(here, '../../../examples/lab8');
}

/** Every section with its TypeScript source, for the dashboard's Lab view. */
export function labSections(dir = labSourceDir()): (LabSection & { source: string })[] {
  return LAB_SECTIONS.map((s) => ({ ...s, source: readFileSync(join(dir, s.file), 'utf8') }));
}
