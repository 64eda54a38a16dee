import { PNG } from 'pngjs';

/** A grayscale PNG of one image with values in [0, 1] (row-major `rows × cols`), one byte per pixel. */
export function grayscalePng(values: ArrayLike<number>, rows: number, cols: number): Buffer {
  const png = new PNG({ width: cols, height: rows });
  for (let i = 0; i < rows * cols; i++) {
    const v = Math.round(Math.min(1, Math.max(0, values[i] as number)) * 255);
    png.data[4 * i] = v;
    png.data[4 * i + 1] = v;
    png.data[4 * i + 2] = v;
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 0 });
}
