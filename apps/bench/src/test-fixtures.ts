// Test helper (excluded from the build): a tiny Fashion-MNIST-shaped data set on disk and an in-process runner.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';
import { main } from './main.js';

/** An IDX file: zero, zero, type 0x08 (unsigned byte), rank, then each dimension big-endian. */
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

/** 28×28 images where class c lights up horizontal band c under seeded noise: learnable, so losses fall. */
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
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const inBand = row >= label * 2 + 4 && row < label * 2 + 7;
      images[i * 784 + p] = Math.min(255, Math.floor((inBand ? 100 : 0) + next() * 120));
    }
  }
  return { images, labels };
}

const tempDirs: string[] = [];

export async function tempDir(prefix = 'xbackend-bench-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export const FIXTURE_TRAIN = 512;
export const FIXTURE_TEST = 128;

let fixture: Promise<string> | undefined;

/** The four gzipped IDX files (not the real data set, so runs pass --no-verify-data), shared by a test file. */
export function fixtureDataDir(): Promise<string> {
  fixture ??= tempDir('xbackend-bench-data-').then(async (dir) => {
    const train = imageSet(FIXTURE_TRAIN, 1);
    const test = imageSet(FIXTURE_TEST, 2);
    const files: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte': idx([FIXTURE_TRAIN, 28, 28], train.images),
      'train-labels-idx1-ubyte': idx([FIXTURE_TRAIN], train.labels),
      't10k-images-idx3-ubyte': idx([FIXTURE_TEST, 28, 28], test.images),
      't10k-labels-idx1-ubyte': idx([FIXTURE_TEST], test.labels),
    };
    await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(dir, `${name}.gz`), gzipSync(bytes))));
    return dir;
  });
  return fixture;
}

/** Flags for tiny work on the fixture: no download, no checksum, no progress noise. */
export async function fixtureFlags(): Promise<string[]> {
  return ['--data-dir', await fixtureDataDir(), '--no-verify-data', '--no-download', '--no-progress'];
}

export interface BenchRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `xbackend-bench ...args` in-process (the runs themselves still go to child processes). */
export async function runBenchCli(args: readonly string[]): Promise<BenchRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'xbackend-bench', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}
