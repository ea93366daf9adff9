/** The errors rnnlab's persistence reports on purpose: a bad model file, a bad or mismatched checkpoint. */

/** A model.json or its weights cannot be read: bad JSON, unknown layers, missing weights, mismatched shapes. */
export class ModelFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelFormatError';
  }
}

/** A checkpoint is missing, damaged, or was written for a different model or optimizer. */
export class CheckpointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

/** A model file declaring more parameters than the loader's maxParams: its count (a lower bound when atLeast) and the limit. */
export class ModelTooLargeError extends ModelFormatError {
  constructor(message: string, readonly params: number, readonly limit: number, readonly atLeast = false) {
    super(message);
    this.name = 'ModelTooLargeError';
  }
}
