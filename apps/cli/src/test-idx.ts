import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** An IDX file (big-endian header: zero, zero, type 0x08 = unsigned byte, rank, then each dimension). */
function idx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  for (const [i, d] of dims.entries()) header.setUint32(4 + 4 * i, d);
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer));
  out.set(data, header.byteLength);
  return out;
}

/**
 * A learnable stand-in for Fashion-MNIST: class c lights up horizontal band c of a 28×28 image, under seeded noise;
 * one image in five shows another class's band, so a trained model still makes mistakes (accuracy ≈ 0.8).
 * Small enough that a training test runs in well under a second.
 */
function imageSet(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = Math.floor(next() * 10);
    const shown = next() < 0.2 ? Math.floor(next() * 10) : label;
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const inBand = row >= shown * 2 + 4 && row < shown * 2 + 7;
      images[i * 784 + p] = Math.min(255, Math.floor((inBand ? 100 : 0) + next() * 120));
    }
  }
  return { images, labels };
}

/** Writes the four gzipped IDX files (not the real data, so tests pass `--no-verify-data`). */
export async function writeFixtureData(dir: string, trainCount = 600, testCount = 200): Promise<string> {
  const train = imageSet(trainCount, 1);
  const test = imageSet(testCount, 2);
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': idx([trainCount, 28, 28], train.images),
    'train-labels-idx1-ubyte': idx([trainCount], train.labels),
    't10k-images-idx3-ubyte': idx([testCount, 28, 28], test.images),
    't10k-labels-idx1-ubyte': idx([testCount], test.labels),
  };
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(dir, `${name}.gz`), gzipSync(bytes))));
  return dir;
}
