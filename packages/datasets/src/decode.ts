import { type ExpectedContent, type FashionMnistFile, idxRank } from './files.js';
import { decompress } from './gzip.js';
import { checkLabels, type IdxArray, parseIdx } from './idx.js';
import { verifyContent } from './verify.js';

/** Fashion-MNIST has ten classes; a label file with any other value is damaged. */
export const NUM_CLASSES = 10;

/**
 * Turns one file's bytes (gzip'd or not) into its IDX array: decompress, parse strictly, check the labels, and
 * verify the SHA-256 of the decompressed content when `expected` is given. Throws `ContentError`.
 */
export async function decodeFile(file: FashionMnistFile, bytes: Uint8Array, expected: ExpectedContent | undefined): Promise<IdxArray> {
  const content = await decompress(bytes);
  const idx = parseIdx(content, idxRank(file));
  if (idxRank(file) === 1) checkLabels(idx.data, NUM_CLASSES);
  if (expected) verifyContent(content, expected);
  return idx;
}
