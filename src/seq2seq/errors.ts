/**
 * The one error class of rl.seq2seq for a bad option or argument value (trainSeq2Seq's, translateTexts's,
 * greedyDecode's, generatePairs's), named by its option so the CLI can turn it into its flag. Bad data (a pairs file,
 * a saved model) is a DataError instead. A RangeError, as these functions threw before, so catches of that still hold.
 */
export class Seq2SeqOptionError extends RangeError {
  constructor(readonly option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'Seq2SeqOptionError';
  }
}
