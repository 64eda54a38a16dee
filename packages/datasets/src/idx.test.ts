import { InvalidArgumentError } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { ContentError } from './content-error.js';
import { checkLabels, encodeIdx, parseIdx } from './idx.js';

const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);

/** A well-formed file with one byte of its header replaced. */
function withByte(bytes: Uint8Array, index: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = value;
  return copy;
}

describe('encodeIdx', () => {
  it('writes magic 00 00 08 <rank>, big-endian dims, then the data', () => {
    expect([...encodeIdx([2, 258], new Uint8Array(516)).subarray(0, 12)]).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 1, 2]);
  });

  it('refuses data of another size than the dims say', () => {
    expect(() => encodeIdx([2, 2], pixels)).toThrow(new InvalidArgumentError('encodeIdx: dims [2, 2] need 4 bytes, got 24.'));
  });
});

describe('parseIdx', () => {
  it('reads back what encodeIdx wrote, without copying', () => {
    const bytes = encodeIdx([2, 3, 4], pixels);
    const idx = parseIdx(bytes, 3);
    expect(idx.dims).toEqual([2, 3, 4]);
    expect([...idx.data]).toEqual([...pixels]);
    expect(idx.data.buffer).toBe(bytes.buffer);
  });

  it('rejects a magic number that does not start with 00 00', () => {
    expect(() => parseIdx(withByte(encodeIdx([2, 3, 4], pixels), 0, 0x1f), 3)).toThrow(
      'invalid IDX: bad magic number 1f000803: an IDX file starts with 00 00',
    );
  });

  it('rejects an element type other than unsigned byte', () => {
    expect(() => parseIdx(withByte(encodeIdx([2, 3, 4], pixels), 2, 0x0d), 3)).toThrow(/element type 0x0d is not unsigned byte/);
  });

  it('rejects a labels file where an images file is expected (wrong number of dimensions)', () => {
    expect(() => parseIdx(encodeIdx([24], pixels), 3)).toThrow(/declares 1 dimensions, expected 3/);
  });

  it('rejects a zero dimension', () => {
    expect(() => parseIdx(encodeIdx([0, 3, 4], new Uint8Array()), 3)).toThrow('invalid IDX: dimensions 0×3×4 contain a zero');
  });

  it('rejects a truncated header', () => {
    expect(() => parseIdx(encodeIdx([2, 3, 4], pixels).subarray(0, 10), 3)).toThrow(
      'truncated in the header: 10 bytes, but a 3-dimensional IDX header is 16 bytes',
    );
    expect(() => parseIdx(new Uint8Array([0, 0]), 1)).toThrow('too short: 2 bytes, less than the 4-byte IDX magic number');
  });

  it('calls zero bytes empty', () => {
    expect(() => parseIdx(new Uint8Array(), 1)).toThrow(new ContentError('empty (0 bytes)'));
  });

  it('rejects truncated data, naming declared and actual sizes', () => {
    const bytes = encodeIdx([2, 3, 4], pixels).subarray(0, 16 + 20);
    expect(() => parseIdx(bytes, 3)).toThrow(/truncated: the header declares 2×3×4 = 24 data bytes, but only 20 follow/);
  });

  it('rejects trailing bytes', () => {
    const bytes = Uint8Array.of(...encodeIdx([2, 3, 4], pixels), 7, 7, 7);
    expect(() => parseIdx(bytes, 3)).toThrow('too long: 3 unexpected bytes after the 2×3×4 = 24 data bytes the header declares');
  });

  it('throws ContentError, so the loader can add the file and the fix', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 1)).toThrow(ContentError);
  });
});

describe('checkLabels', () => {
  it('accepts labels 0..9', () => {
    expect(() => checkLabels(Uint8Array.from([0, 9, 5]), 10)).not.toThrow();
  });

  it('names the first label out of range and its index', () => {
    expect(() => checkLabels(Uint8Array.from([0, 9, 10, 200]), 10)).toThrow(/label 10 at index 2 is outside 0..9/);
  });
});
