import { ContentError } from './content-error.js';
import type { DecodeRuntime } from './decode.js';

/** Decompresses gzip'd bytes with the platform's DecompressionStream (browsers; Node ≥ 18 has it too). */
export async function gunzipStream(gz: Uint8Array): Promise<Uint8Array> {
  try {
    const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    // Browsers word a cut-off stream differently ("unexpected end of file", "incomplete", …); all mention an end.
    if (/end|incomplete|truncat/i.test(message)) throw new ContentError(`truncated: the gzip stream is cut off (${message})`, { cause });
    throw new ContentError(`not a valid gzip stream (${message})`, { cause });
  }
}

export async function subtleSha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Decoding with web platform APIs only: DecompressionStream and crypto.subtle. */
export const WEB_DECODE_RUNTIME: DecodeRuntime = { gunzip: gunzipStream, sha256Hex: subtleSha256Hex };
