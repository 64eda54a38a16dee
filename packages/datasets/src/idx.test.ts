import { describe, expect, it } from 'vitest';
import { ContentError } from './content-error.js';
import { checkLabels, parseIdx } from './idx.js';
import { idxBytes } from './test-fixtures.js';

const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);

describe('parseIdx', () => {
  it('reads dims and data of a well-formed file, without copying', () => {
    const bytes = idxBytes([2, 3, 4], pixels);
    const idx = parseIdx(bytes, 3);
    expect(idx.dims).toEqual([2, 3, 4]);
    expect([...idx.data]).toEqual([...pixels]);
    expect(idx.data.buffer).toBe(bytes.buffer);
  });

  it('rejects a magic number that does not start with 00 00', () => {
    const bytes = idxBytes([2, 3, 4], pixels);
    bytes[0] = 0x1f;
    expect(() => parseIdx(bytes, 3)).toThrow(/bad magic number 1f000803: an IDX file starts with 00 00/);
  });

  it('rejects an element type other than unsigned byte', () => {
    expect(() => parseIdx(idxBytes([2, 3, 4], pixels, 0x0d), 3)).toThrow(/element type 0x0d is not unsigned byte/);
  });

  it('rejects a labels file where an images file is expected (wrong number of dimensions)', () => {
    expect(() => parseIdx(idxBytes([24], pixels), 3)).toThrow(/declares 1 dimensions, expected 3/);
  });

  it('rejects a zero dimension', () => {
    expect(() => parseIdx(idxBytes([0, 3, 4], new Uint8Array()), 3)).toThrow(/dimensions 0×3×4 contain a zero/);
  });

  it('rejects a truncated header', () => {
    expect(() => parseIdx(idxBytes([2, 3, 4], pixels).subarray(0, 10), 3)).toThrow(
      /truncated header: 10 bytes, but a 3-dimensional IDX header is 16 bytes/,
    );
    expect(() => parseIdx(new Uint8Array([0, 0]), 1)).toThrow(/too short for the 4-byte IDX magic number/);
  });

  it('rejects truncated data, naming declared and actual sizes', () => {
    const bytes = idxBytes([2, 3, 4], pixels).subarray(0, 16 + 20);
    expect(() => parseIdx(bytes, 3)).toThrow(/truncated: the header declares 2×3×4 = 24 data bytes, but only 20 follow/);
  });

  it('rejects trailing bytes', () => {
    const bytes = idxBytes([2, 3, 4], Uint8Array.from({ length: 27 }));
    expect(() => parseIdx(bytes, 3)).toThrow(/3 unexpected bytes after the 2×3×4 = 24 data bytes/);
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
