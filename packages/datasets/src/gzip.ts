import { promisify } from 'node:util';
import { constants, gunzip } from 'node:zlib';
import { ContentError } from './content-error.js';

const gunzipAsync = promisify(gunzip);

/** True when the bytes start with the gzip magic number; IDX content starts with 00 00, so the two never clash. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip'd bytes (off the main thread); passes anything else through, so uncompressed IDX files work too. */
export async function decompress(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (cause) {
    const zlibError = cause as NodeJS.ErrnoException;
    if (zlibError.errno === constants.Z_BUF_ERROR) {
      throw new ContentError('truncated: the gzip stream ends before its end marker', { cause });
    }
    throw new ContentError(`not a valid gzip stream (${zlibError.message})`, { cause });
  }
}
