import { DatasetError } from './dataset-error.js';

/**
 * A file's bytes are not what they must be. `problem` says what, without naming the file, so that the loader can
 * add the path, the places searched and the fix.
 */
export class ContentError extends DatasetError {
  constructor(
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid Fashion-MNIST content: ${problem}`, options);
  }
}
