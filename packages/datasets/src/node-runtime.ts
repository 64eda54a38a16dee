import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, gunzip as gunzipCallback } from 'node:zlib';
import { ContentError } from './content-error.js';
import type { DecodeRuntime } from './decode.js';

const gunzipAsync = promisify(gunzipCallback);

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Decompresses gzip'd bytes off the main thread, saying whether a failure is a cut-off stream or damaged data. */
export async function gunzip(gz: Uint8Array): Promise<Uint8Array> {
  try {
    return await gunzipAsync(gz);
  } catch (cause) {
    const zlibError = cause as NodeJS.ErrnoException;
    if (zlibError.errno === constants.Z_BUF_ERROR) {
      throw new ContentError('truncated: the gzip stream ends before its end marker', { cause });
    }
    throw new ContentError(`not a valid gzip stream (${zlibError.message})`, { cause });
  }
}

/** Decoding in Node: zlib and node:crypto. */
export const NODE_DECODE_RUNTIME: DecodeRuntime = { gunzip, sha256Hex };
