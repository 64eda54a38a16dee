import { type ExpectedContent, type FashionMnistFile, idxRank } from './files.js';
import { checkLabels, type IdxArray, parseIdx } from './idx.js';
import { type Sha256Hex, verifyContent } from './verify.js';

/** Fashion-MNIST has ten classes; a label file with any other value is damaged. */
export const NUM_CLASSES = 10;

/** What decoding needs from the platform: Node's zlib and crypto, or a browser's DecompressionStream and crypto.subtle. */
export interface DecodeRuntime {
  /** Decompresses a gzip stream; throws `ContentError` for a damaged or cut-off one. */
  readonly gunzip: (gz: Uint8Array) => Promise<Uint8Array>;
  readonly sha256Hex: Sha256Hex;
}

/** True when the bytes start with the gzip magic number; IDX content starts with 00 00, so the two never clash. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Turns one file's bytes (gzip'd or not) into its IDX array: decompress, parse strictly, check the labels, and
 * verify the SHA-256 of the decompressed content when `expected` is given. Throws `ContentError`.
 */
export async function decodeFile(
  file: FashionMnistFile,
  bytes: Uint8Array,
  expected: ExpectedContent | undefined,
  runtime: DecodeRuntime,
): Promise<IdxArray> {
  const content = isGzip(bytes) ? await runtime.gunzip(bytes) : bytes;
  const idx = parseIdx(content, idxRank(file));
  if (idxRank(file) === 1) checkLabels(idx.data, NUM_CLASSES);
  if (expected) await verifyContent(content, expected, runtime.sha256Hex);
  return idx;
}
