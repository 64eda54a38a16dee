import { describe, expect, it } from 'vitest';
import { BilinearResize } from './resize.js';

/** Bytes out: a table that keeps the rounded byte values, so expectations read as pixel values. */
const identity = Float32Array.from({ length: 256 }, (_, v) => v);

function resize(src: number[], inRows: number, inCols: number, outRows: number, outCols: number, channels = 1): number[] {
  const dst = new Float32Array(channels * outRows * outCols);
  new BilinearResize(inRows, inCols, outRows, outCols).apply(Uint8Array.from(src), 0, channels, dst, 0, identity);
  return [...dst];
}

describe('BilinearResize (PIL bilinear, as d2l Resize)', () => {
  it('upscales 2→4 with weights 1, ¾/¼, ¼/¾, 1 on pixel centres', () => {
    // Values worked out by hand from the triangle filter: centres at 0.25, 0.75, 1.25, 1.75 input pixels.
    expect(resize([0, 200, 0, 200], 2, 2, 2, 4)).toEqual([0, 50, 150, 200, 0, 50, 150, 200]);
  });

  it('combines both axes (separable)', () => {
    const out = resize([0, 0, 0, 160], 2, 2, 4, 4);
    expect(out[0]).toBe(0);
    expect(out[1 * 4 + 1]).toBe(10); // ¼·¼·160
    expect(out[1 * 4 + 2]).toBe(30); // ¼·¾·160
    expect(out[2 * 4 + 2]).toBe(90); // ¾·¾·160
    expect(out[3 * 4 + 3]).toBe(160);
  });

  it('antialiases when shrinking: 4→2 widens the filter to four input pixels', () => {
    // Output 0: (¾·0 + ¾·70 + ¼·140) / 1.75 = 50; output 1: (¼·70 + ¾·140 + ¾·210) / 1.75 = 160.
    const row = [0, 70, 140, 210];
    expect(resize([...row, ...row, ...row, ...row], 4, 4, 4, 2)).toEqual([50, 160, 50, 160, 50, 160, 50, 160]);
  });

  it('leaves an image unchanged at its own size', () => {
    const src = Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256);
    expect(resize(src, 28, 28, 28, 28)).toEqual(src);
  });

  it('keeps a constant image constant at any size', () => {
    for (const size of [7, 28, 64, 96]) expect(new Set(resize(new Array(28 * 28).fill(173), 28, 28, size, size))).toEqual(new Set([173]));
  });

  it('resizes each channel on its own', () => {
    expect(resize([0, 200, 0, 200, 200, 0, 200, 0], 2, 2, 1, 4, 2)).toEqual([0, 50, 150, 200, 200, 150, 50, 0]);
  });
});
