import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidArgumentError } from '@xbackend/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatasetError } from './dataset-error.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { FASHION_MNIST_CHECKSUMS } from './files.js';
import type { FashionMnistOptions } from './options.js';
import { type Fixture, makeFixture, tempDir, writeFixture } from './test-fixtures.js';

const fixture = makeFixture();
let root: string;
let cacheDir: string;
let systemDir: string;
let cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  vi.stubEnv('FASHION_MNIST_DIR', '');
  const dirs = [await tempDir(), await tempDir(), await tempDir()];
  [root, cacheDir, systemDir] = dirs.map((d) => d.dir) as [string, string, string];
  cleanups = dirs.map((d) => d.cleanup);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups) await cleanup();
});

/** Offline options over this test's three directories. */
function offline(extra: FashionMnistOptions = {}): FashionMnistOptions {
  return { cacheDir, systemDir, download: false, checksums: fixture.checksums, ...extra };
}

async function loadError(options: FashionMnistOptions): Promise<DatasetError> {
  const error = await loadFashionMnist(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('loadFashionMnist from disk', () => {
  it('parses the four files of a directory into raw arrays', async () => {
    await writeFixture(root, fixture);
    const data = await loadFashionMnist(offline({ root }));
    expect([data.train.count, data.train.rows, data.train.cols, data.test.count]).toEqual([30, 4, 5, 12]);
    expect(Buffer.from(data.train.images).equals(Buffer.from(fixture.train.images))).toBe(true);
    expect([...data.test.labels]).toEqual([...fixture.test.labels]);
    expect(data.sources['t10k-images-idx3-ubyte']).toEqual({ path: join(root, 't10k-images-idx3-ubyte.gz'), origin: 'root' });
  });

  it('reads uncompressed IDX files too', async () => {
    await writeFixture(root, fixture, undefined, false);
    const data = await loadFashionMnist(offline({ root }));
    expect([...data.train.labels]).toEqual([...fixture.train.labels]);
  });
});

describe('resolution order', () => {
  // Each place holds a set with a different example count, so the count shows where a file came from.
  const sets: Record<string, Fixture> = { root: makeFixture(31, 11), cache: makeFixture(32, 12), system: makeFixture(33, 13) };
  const dirOf = (kind: string) => ({ root, cache: cacheDir, system: systemDir })[kind] as string;
  const unverified = (extra: FashionMnistOptions = {}) => offline({ checksums: false, ...extra });

  it('prefers a named directory, else the user cache, then the Debian package directory', async () => {
    for (const kind of ['root', 'cache', 'system']) await writeFixture(dirOf(kind), sets[kind] as Fixture);
    expect((await loadFashionMnist(unverified({ root }))).train.count).toBe(31);
    expect((await loadFashionMnist(unverified())).train.count).toBe(32);
    await rm(cacheDir, { recursive: true });
    const data = await loadFashionMnist(unverified());
    expect(data.train.count).toBe(33);
    expect(data.sources['train-images-idx3-ubyte'].origin).toBe('system');
  });

  it('takes FASHION_MNIST_DIR as the explicit directory, and the root option over it', async () => {
    await writeFixture(root, sets.root as Fixture);
    await writeFixture(cacheDir, sets.cache as Fixture);
    vi.stubEnv('FASHION_MNIST_DIR', root);
    const data = await loadFashionMnist(unverified());
    expect(data.train.count).toBe(31);
    expect(data.sources['train-labels-idx1-ubyte'].origin).toBe('env');
    expect((await loadFashionMnist(unverified({ root: cacheDir }))).sources['train-labels-idx1-ubyte'].origin).toBe('root');
  });

  it('resolves each file on its own, so a partial cache is completed from the Debian package directory', async () => {
    await writeFixture(cacheDir, fixture, ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    await writeFixture(systemDir, fixture, ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
    const data = await loadFashionMnist(offline());
    expect(Object.values(data.sources).map((s) => s.origin)).toEqual(['cache', 'cache', 'system', 'system']);
  });
});

describe('errors name the file, the problem, every place searched and the fix', () => {
  it('a file found nowhere, with downloads off', async () => {
    await writeFixture(cacheDir, fixture, ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte']);
    const { message } = await loadError(offline());
    expect(message).toContain('Fashion-MNIST file t10k-labels-idx1-ubyte.gz was not found.');
    expect(message).toContain(`${cacheDir} (user cache): no t10k-labels-idx1-ubyte.gz or t10k-labels-idx1-ubyte`);
    expect(message).toContain(`${systemDir} (Debian/Ubuntu package dataset-fashion-mnist): no t10k-labels-idx1-ubyte.gz`);
    expect(message).toMatch(
      /download from http:\/\/fashion-mnist\.s3-website\.eu-central-1\.amazonaws\.com\/t10k-labels-idx1-ubyte\.gz: not tried/,
    );
    expect(message).toContain('sudo apt install dataset-fashion-mnist');
    expect(message).toContain('set FASHION_MNIST_DIR (or the root option) to a directory holding');
    // A command line names the root option by its flag.
    const { message: cli } = await loadError(offline({ rootLabel: '--data-dir' }));
    expect(cli).toContain('set FASHION_MNIST_DIR (or --data-dir) to a directory holding');
  });

  it('an empty (0-byte) data file', async () => {
    await writeFixture(root, fixture);
    const path = join(root, 'train-labels-idx1-ubyte.gz');
    await writeFile(path, new Uint8Array());
    const { message } = await loadError(offline({ root }));
    expect(message).toBe(
      `Fashion-MNIST file ${path} (train-labels-idx1-ubyte) is empty (0 bytes).\n` +
        'Places searched, in order:\n' +
        `  - ${root} (the root option): found train-labels-idx1-ubyte.gz\n` +
        'How to fix:\n' +
        `  - replace ${path} with an intact copy\n` +
        '  - or name another directory with the root option',
    );
  });

  it('a corrupt cached file: its hashes, and delete it to re-download', async () => {
    await writeFixture(cacheDir, fixture);
    const tampered = Buffer.from(fixture.raw['train-labels-idx1-ubyte']);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) === 0 ? 1 : 0; // still a valid label
    const path = join(cacheDir, 'train-labels-idx1-ubyte.gz');
    await writeFile(path, gzipSync(tampered));
    const { message } = await loadError(offline());
    expect(message).toContain(`Fashion-MNIST file ${path} (train-labels-idx1-ubyte) is corrupt (or not Fashion-MNIST)`);
    expect(message).toContain(`expected ${fixture.checksums['train-labels-idx1-ubyte'].sha256}`);
    expect(message).toContain(`${cacheDir} (user cache): found train-labels-idx1-ubyte.gz`);
    expect(message).toContain(`${systemDir} (Debian/Ubuntu package dataset-fashion-mnist): not searched`);
    expect(message).toContain(`delete ${path}; the next load downloads it again`);
  });

  it('a truncated file in the Debian package directory: reinstall the package', async () => {
    await writeFixture(systemDir, fixture);
    const gz = fixture.gz['train-images-idx3-ubyte'];
    await writeFile(join(systemDir, 'train-images-idx3-ubyte.gz'), gz.subarray(0, gz.length - 20));
    const { message } = await loadError(offline());
    expect(message).toMatch(/train-images-idx3-ubyte\.gz \(train-images-idx3-ubyte\) is truncated/);
    expect(message).toContain('sudo apt install --reinstall dataset-fashion-mnist');
  });

  it('a file that is not IDX, given through FASHION_MNIST_DIR', async () => {
    await writeFixture(root, fixture);
    await writeFile(join(root, 'train-images-idx3-ubyte.gz'), 'not a data set');
    vi.stubEnv('FASHION_MNIST_DIR', root);
    const { message } = await loadError(offline());
    expect(message).toContain('bad magic number 6e6f7420');
    expect(message).toContain(`${root} (FASHION_MNIST_DIR): found`);
    expect(message).toContain('unset FASHION_MNIST_DIR');
  });

  it('by default verifies against the real Fashion-MNIST hashes', async () => {
    await writeFixture(root, fixture);
    const { message } = await loadError({ root, cacheDir, systemDir, download: false });
    expect(message).toMatch(/is truncated: it decompresses to \d+ bytes, expected (47040016|60008|7840016|10008)/);
  });

  it('image and label files of different sets', async () => {
    await writeFixture(root, fixture);
    await writeFile(join(root, 'train-labels-idx1-ubyte.gz'), makeFixture(29).gz['train-labels-idx1-ubyte']);
    const { message } = await loadError(offline({ root, checksums: false }));
    expect(message).toContain('do not belong together: 30 images but 29 labels');
  });
});

describe('options', () => {
  it('are validated before any file is touched', async () => {
    await expect(loadFashionMnist({ rot: '/x' } as never)).rejects.toThrow(/Unknown option rot\. Known options: root, rootLabel, cacheDir/);
    await expect(loadFashionMnist({ root: '' })).rejects.toThrow(/root must be a directory path, got ""/);
    await expect(loadFashionMnist({ rootLabel: ' ' })).rejects.toThrow(
      /rootLabel must be a non-empty string \(e\.g\. '--data-dir'\), got " "/,
    );
    await expect(loadFashionMnist({ baseUrl: 'ftp://mirror/' })).rejects.toThrow(/baseUrl must be an http:\/\/ or https:\/\/ URL/);
    await expect(loadFashionMnist({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number of milliseconds, got 0/);
    await expect(loadFashionMnist({ retries: -1 })).rejects.toThrow(/retries must be a non-negative integer, got -1/);
    await expect(loadFashionMnist({ progress: 'yes' } as never)).rejects.toThrow(/progress must be true, false or a writable stream/);
    await expect(
      loadFashionMnist({ checksums: { ...FASHION_MNIST_CHECKSUMS, 't10k-labels-idx1-ubyte': { sha256: 'abc' } } }),
    ).rejects.toThrow(/checksums\['t10k-labels-idx1-ubyte'\]\.sha256 must be 64 hex digits, got "abc"/);
    await expect(loadFashionMnist(null as never)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('memory cache', () => {
  it('shares parsed arrays between loads of unchanged files and re-reads a replaced file', async () => {
    await writeFixture(root, fixture);
    const first = await loadFashionMnist(offline({ root }));
    const second = await loadFashionMnist(offline({ root }));
    expect(second.train.images).toBe(first.train.images);
    expect((await loadFashionMnist(offline({ root, memoryCache: false }))).train.images).not.toBe(first.train.images);
    await writeFile(join(root, 'train-labels-idx1-ubyte.gz'), 'replaced');
    await expect(loadFashionMnist(offline({ root }))).rejects.toThrow(/bad magic number/);
  });
});
