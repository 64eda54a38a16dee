import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FashionMnistFile } from './files.js';
import { encodeIdx } from './idx.js';

export interface SyntheticOptions {
  readonly train?: number;
  readonly test?: number;
  /** Fraction of images that show another class's pattern, so a trained model still errs (default 0.2). */
  readonly confusion?: number;
}

/**
 * A learnable stand-in for Fashion-MNIST: 28×28 images where class c lights up horizontal band c under seeded noise.
 * Not the real data, so it fails checksum verification: load it with `checksums: false` (CLI: `--no-verify-data`).
 */
function bandImages(count: number, seed: number, confusion: number): { images: Uint8Array; labels: Uint8Array } {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = Math.floor(next() * 10);
    const shown = next() < confusion ? Math.floor(next() * 10) : label;
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const inBand = row >= shown * 2 + 4 && row < shown * 2 + 7;
      images[i * 784 + p] = Math.min(255, Math.floor((inBand ? 100 : 0) + next() * 120));
    }
  }
  return { images, labels };
}

/** Writes the four gzipped IDX files of a synthetic Fashion-MNIST-shaped data set into `dir` (for tests and demos). */
export async function writeSyntheticFashionMnist(
  dir: string,
  { train = 600, test = 200, confusion = 0.2 }: SyntheticOptions = {},
): Promise<string> {
  const trainSet = bandImages(train, 1, confusion);
  const testSet = bandImages(test, 2, confusion);
  const files = {
    'train-images-idx3-ubyte': encodeIdx([train, 28, 28], trainSet.images),
    'train-labels-idx1-ubyte': encodeIdx([train], trainSet.labels),
    't10k-images-idx3-ubyte': encodeIdx([test, 28, 28], testSet.images),
    't10k-labels-idx1-ubyte': encodeIdx([test], testSet.labels),
  } satisfies Record<FashionMnistFile, Uint8Array>;
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(dir, `${name}.gz`), gzipSync(bytes))));
  return dir;
}
