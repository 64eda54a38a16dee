/**
 * Filter taps along one axis, flattened for speed: output pixel `o` reads `width` input pixels from `first[o]`
 * with weights `weights[o * width ..]` (zero-padded where fewer inputs contribute).
 */
interface AxisTaps {
  readonly first: Int32Array;
  readonly weights: Float64Array;
  readonly width: number;
}

/**
 * Bilinear resize of 8-bit images as PIL's `Image.resize(..., BILINEAR)` does it, which is what d2l's
 * `transforms.Resize` applies before `ToTensor`: a triangle filter on pixel centres, widened when shrinking
 * (antialiasing), separable (rows, then columns), rounded back to 0..255.
 */
export class BilinearResize {
  private readonly horizontal: AxisTaps;
  private readonly vertical: AxisTaps;
  private readonly rowBuffer: Float64Array;

  constructor(
    readonly inRows: number,
    readonly inCols: number,
    readonly outRows: number,
    readonly outCols: number,
  ) {
    this.horizontal = axisTaps(inCols, outCols);
    this.vertical = axisTaps(inRows, outRows);
    this.rowBuffer = new Float64Array(inRows * outCols);
  }

  /**
   * Resizes `channels` planes of `src` starting at `srcOffset` into `dst` at `dstOffset`, writing each rounded
   * byte through `scale` (a 256-entry table, e.g. `v / 255`), so the result equals resizing first, converting after.
   */
  apply(src: Uint8Array, srcOffset: number, channels: number, dst: Float32Array, dstOffset: number, scale: Float32Array): void {
    const { inRows, inCols, outRows, outCols, rowBuffer } = this;
    const h = this.horizontal;
    const v = this.vertical;
    for (let c = 0; c < channels; c++) {
      const plane = srcOffset + c * inRows * inCols;
      for (let r = 0; r < inRows; r++) {
        const row = plane + r * inCols;
        for (let x = 0; x < outCols; x++) {
          const from = row + (h.first[x] as number);
          const w = x * h.width;
          let sum = 0;
          for (let t = 0; t < h.width; t++) sum += (h.weights[w + t] as number) * (src[from + t] as number);
          rowBuffer[r * outCols + x] = sum;
        }
      }
      const out = dstOffset + c * outRows * outCols;
      for (let y = 0; y < outRows; y++) {
        const from = (v.first[y] as number) * outCols;
        const w = y * v.width;
        for (let x = 0; x < outCols; x++) {
          let sum = 0;
          for (let t = 0; t < v.width; t++) sum += (v.weights[w + t] as number) * (rowBuffer[from + t * outCols + x] as number);
          const byte = sum <= 0 ? 0 : sum >= 255 ? 255 : Math.round(sum);
          dst[out + y * outCols + x] = scale[byte] as number;
        }
      }
    }
  }
}

/** PIL's `precompute_coeffs` for the bilinear (triangle, support 1) filter. */
function axisTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ranges = Array.from({ length: outSize }, (_, o) => {
    const center = (o + 0.5) * scale;
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const last = Math.min(Math.trunc(center + support + 0.5), inSize);
    return { center, first, last };
  });
  const width = Math.max(...ranges.map((r) => r.last - r.first));
  const first = new Int32Array(outSize);
  const weights = new Float64Array(outSize * width);
  for (const [o, range] of ranges.entries()) {
    // Padding taps read inside the image with weight 0, so the loop needs no bounds test.
    first[o] = Math.min(range.first, inSize - width);
    let total = 0;
    for (let i = range.first; i < range.last; i++) {
      const w = Math.max(0, 1 - Math.abs((i - range.center + 0.5) / filterScale));
      weights[o * width + i - (first[o] as number)] = w;
      total += w;
    }
    for (let t = 0; t < width; t++) weights[o * width + t] = (weights[o * width + t] as number) / total;
  }
  return { first, weights, width };
}
