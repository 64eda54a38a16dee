import { InvalidArgumentError } from '@xbackend/core';
import { ContentError } from './content-error.js';

/** IDX type code for unsigned bytes, the only element type Fashion-MNIST uses. */
const UBYTE = 0x08;

/** A parsed IDX array of unsigned bytes; `data` is a view into the decompressed buffer (no copy). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Strict IDX parser (yann.lecun.com/exdb/mnist format): magic `00 00 08 <rank>`, `rank` big-endian uint32
 * dimensions, then exactly `product(dims)` bytes. Anything else — another element type, another rank, a zero
 * dimension, missing or extra bytes — is an error. Each `ContentError.problem` reads after "the file is …".
 */
export function parseIdx(bytes: Uint8Array, rank: number): IdxArray {
  const headerBytes = 4 + 4 * rank;
  if (bytes.length === 0) throw new ContentError('empty (0 bytes)');
  if (bytes.length < 4) throw new ContentError(`too short: ${bytes.length} bytes, less than the 4-byte IDX magic number`);
  const magic = hex(bytes.subarray(0, 4));
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new ContentError(`invalid IDX: bad magic number ${magic}: an IDX file starts with 00 00`);
  if (bytes[2] !== UBYTE) {
    throw new ContentError(
      `invalid IDX: bad magic number ${magic}: element type 0x${hex(bytes.subarray(2, 3))} is not unsigned byte (0x08)`,
    );
  }
  if (bytes[3] !== rank) {
    throw new ContentError(`invalid IDX: bad magic number ${magic}: it declares ${bytes[3]} dimensions, expected ${rank}`);
  }
  if (bytes.length < headerBytes) {
    throw new ContentError(`truncated in the header: ${bytes.length} bytes, but a ${rank}-dimensional IDX header is ${headerBytes} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  if (dims.some((d) => d === 0)) throw new ContentError(`invalid IDX: dimensions ${dims.join('×')} contain a zero`);
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new ContentError(`truncated: the header declares ${dims.join('×')} = ${expected} data bytes, but only ${actual} follow`);
  }
  if (actual > expected) {
    throw new ContentError(
      `too long: ${actual - expected} unexpected bytes after the ${dims.join('×')} = ${expected} data bytes the header declares`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Encodes unsigned-byte data as an IDX file (the inverse of `parseIdx`): 0, 0, type 0x08, rank, big-endian dims. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new InvalidArgumentError(`encodeIdx: dims [${dims.join(', ')}] need ${count} bytes, got ${data.length}.`);
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, UBYTE);
  header.setUint8(3, dims.length);
  for (const [i, d] of dims.entries()) header.setUint32(4 + 4 * i, d);
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer));
  out.set(data, header.byteLength);
  return out;
}

/** Checks that every label is a class index below `numClasses`. */
export function checkLabels(labels: Uint8Array, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label >= numClasses) throw new ContentError(`corrupt: label ${label} at index ${i} is outside 0..${numClasses - 1}`);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
