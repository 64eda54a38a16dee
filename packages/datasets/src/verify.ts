import { createHash } from 'node:crypto';
import { ContentError } from './content-error.js';
import type { ExpectedContent } from './files.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks decompressed content against its expected size and SHA-256. */
export function verifyContent(content: Uint8Array, expected: ExpectedContent): void {
  if (expected.bytes !== undefined && content.length !== expected.bytes) {
    const what = content.length < expected.bytes ? 'truncated' : 'too long';
    throw new ContentError(`${what}: it decompresses to ${content.length} bytes, expected ${expected.bytes}`);
  }
  const actual = sha256Hex(content);
  if (actual !== expected.sha256.toLowerCase()) {
    throw new ContentError(
      `corrupt (or not Fashion-MNIST): the SHA-256 of its decompressed content is ${actual}, expected ${expected.sha256}`,
    );
  }
}
