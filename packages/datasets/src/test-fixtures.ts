// Test helper (excluded from the build): small, generated Fashion-MNIST-shaped IDX files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type ChecksumTable, FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
import { encodeIdx } from './idx.js';
import type { ImageSet } from './image-set.js';
import { sha256Hex } from './node-runtime.js';

/** A deterministic set whose pixels and labels depend on (offset, index), so order and identity are checkable. */
export function makeImageSet(count: number, rows: number, cols: number, offset = 0): ImageSet {
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < rows * cols; p++) images[i * rows * cols + p] = (offset + i * 31 + p * 7) % 256;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => (offset + i * 3) % 10);
  return { images, labels, count, rows, cols };
}

export interface Fixture {
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Uncompressed IDX content per file. */
  readonly raw: Readonly<Record<FashionMnistFile, Uint8Array>>;
  /** What the files hold on disk / on the mirror. */
  readonly gz: Readonly<Record<FashionMnistFile, Buffer>>;
  /** The checksum table that verifies this fixture (the real Fashion-MNIST table rejects it). */
  readonly checksums: ChecksumTable;
}

export function makeFixture(trainCount = 30, testCount = 12, rows = 4, cols = 5): Fixture {
  const train = makeImageSet(trainCount, rows, cols, 0);
  const test = makeImageSet(testCount, rows, cols, 100);
  const raw: Record<FashionMnistFile, Uint8Array> = {
    'train-images-idx3-ubyte': encodeIdx([trainCount, rows, cols], train.images),
    'train-labels-idx1-ubyte': encodeIdx([trainCount], train.labels),
    't10k-images-idx3-ubyte': encodeIdx([testCount, rows, cols], test.images),
    't10k-labels-idx1-ubyte': encodeIdx([testCount], test.labels),
  };
  const gz = mapFiles((f) => gzipSync(raw[f]));
  const checksums = mapFiles((f) => ({ sha256: sha256Hex(raw[f]), bytes: raw[f].length }));
  return { train, test, raw, gz, checksums };
}

/** Writes the fixture's files (gzip'd unless `gzip` is false) into `dir`, optionally only some of them. */
export async function writeFixture(
  dir: string,
  fixture: Fixture,
  files: readonly FashionMnistFile[] = FASHION_MNIST_FILES,
  gzip = true,
): Promise<void> {
  for (const file of files) {
    await writeFile(join(dir, gzip ? `${file}.gz` : file), gzip ? fixture.gz[file] : fixture.raw[file]);
  }
}

export function mapFiles<T>(make: (file: FashionMnistFile) => T): Record<FashionMnistFile, T> {
  return Object.fromEntries(FASHION_MNIST_FILES.map((f) => [f, make(f)])) as Record<FashionMnistFile, T>;
}

/** A fresh temporary directory and its cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'xb-datasets-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
