import { ContentError } from './content-error.js';
import type { ExpectedContent } from './files.js';

/** Lower-case hex SHA-256 of some bytes: Node's `node:crypto`, or `crypto.subtle` in a browser. */
export type Sha256Hex = (bytes: Uint8Array) => string | Promise<string>;

/** Checks decompressed content against its expected size (first, as it is cheap) and SHA-256. */
export async function verifyContent(content: Uint8Array, expected: ExpectedContent, sha256Hex: Sha256Hex): Promise<void> {
  if (expected.bytes !== undefined && content.length !== expected.bytes) {
    const what = content.length < expected.bytes ? 'truncated' : 'too long';
    throw new ContentError(`${what}: it decompresses to ${content.length} bytes, expected ${expected.bytes}`);
  }
  const actual = await sha256Hex(content);
  if (actual !== expected.sha256.toLowerCase()) {
    throw new ContentError(
      `corrupt (or not Fashion-MNIST): the SHA-256 of its decompressed content is ${actual}, expected ${expected.sha256}`,
    );
  }
}
