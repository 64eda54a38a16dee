import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatasetError } from './dataset-error.js';
import type { DownloadProgress } from './download.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
import { encodeIdx } from './idx.js';
import type { FashionMnistOptions } from './options.js';
import { makeFixture, tempDir } from './test-fixtures.js';
import { startMirror, type TestMirror } from './test-server.js';

const fixture = makeFixture(300, 40, 6, 6);
const path = (file: FashionMnistFile) => `/fashion/${file}.gz`;
let mirror: TestMirror;
let cacheDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  mirror = await startMirror();
});
afterAll(async () => {
  await mirror.close();
});
beforeEach(async () => {
  vi.stubEnv('FASHION_MNIST_DIR', '');
  ({ dir: cacheDir, cleanup } = await tempDir());
  mirror.requests.clear();
  for (const file of FASHION_MNIST_FILES) mirror.route(path(file), { kind: 'ok', body: fixture.gz[file] });
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await cleanup();
});

/** Downloads from the loopback mirror (base URL without a trailing slash on purpose) into this test's cache. */
function fromMirror(extra: FashionMnistOptions = {}): FashionMnistOptions {
  return {
    cacheDir,
    systemDir: join(cacheDir, 'no-system-dir'),
    baseUrl: `${mirror.baseUrl}fashion`,
    checksums: fixture.checksums,
    retries: 2,
    retryDelayMs: 0,
    timeoutMs: 5000,
    progress: false,
    ...extra,
  };
}

async function downloadError(options: FashionMnistOptions): Promise<string> {
  const error = await loadFashionMnist(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return (error as DatasetError).message;
}

async function cacheListing(): Promise<string[]> {
  return (await readdir(cacheDir)).filter((name) => name !== 'no-system-dir').sort();
}

/** Files download in FASHION_MNIST_FILES order, so after `failed` fails the cache holds exactly the ones before it. */
function verifiedBefore(failed: FashionMnistFile): string[] {
  return FASHION_MNIST_FILES.slice(0, FASHION_MNIST_FILES.indexOf(failed))
    .map((f) => `${f}.gz`)
    .sort();
}

const labelsGz = fixture.gz['train-labels-idx1-ubyte'];
const imagesGz = fixture.gz['train-images-idx3-ubyte'];

describe('download into the cache', () => {
  it('fetches the missing files, verifies them, and stores exactly the served bytes', async () => {
    const events: DownloadProgress[] = [];
    const data = await loadFashionMnist(fromMirror({ onProgress: (e) => events.push(e) }));
    expect(Buffer.from(data.train.images).equals(Buffer.from(fixture.train.images))).toBe(true);
    expect(data.sources['train-images-idx3-ubyte']).toEqual({
      path: join(cacheDir, 'train-images-idx3-ubyte.gz'),
      origin: 'download',
      url: `${mirror.baseUrl}fashion/train-images-idx3-ubyte.gz`,
    });
    expect(await cacheListing()).toEqual(FASHION_MNIST_FILES.map((f) => `${f}.gz`).sort());
    for (const file of FASHION_MNIST_FILES) expect((await readFile(join(cacheDir, `${file}.gz`))).equals(fixture.gz[file])).toBe(true);
    const images = events.filter((e) => e.file === 'train-images-idx3-ubyte.gz');
    expect(images.at(-1)).toMatchObject({ receivedBytes: imagesGz.length, totalBytes: imagesGz.length, attempt: 1 });
    expect(images.every((e, i) => i === 0 || e.receivedBytes >= (images[i - 1] as DownloadProgress).receivedBytes)).toBe(true);
  });

  it('uses the cached copies next time, without asking the mirror', async () => {
    await loadFashionMnist(fromMirror());
    mirror.requests.clear();
    const data = await loadFashionMnist(fromMirror({ download: false, memoryCache: false }));
    expect(Object.values(data.sources).map((s) => s.origin)).toEqual(['cache', 'cache', 'cache', 'cache']);
    expect(mirror.requests.size).toBe(0);
  });

  it('downloads only what no place has', async () => {
    for (const file of FASHION_MNIST_FILES.slice(0, 3)) await writeFile(join(cacheDir, `${file}.gz`), fixture.gz[file]);
    const data = await loadFashionMnist(fromMirror());
    expect(Object.values(data.sources).map((s) => s.origin)).toEqual(['cache', 'cache', 'cache', 'download']);
    expect([...mirror.requests.keys()]).toEqual([path('t10k-labels-idx1-ubyte')]);
  });

  it('never downloads into or instead of a directory the user named', async () => {
    const { dir: root, cleanup: cleanRoot } = await tempDir();
    try {
      for (const file of FASHION_MNIST_FILES.slice(0, 3)) await writeFile(join(root, `${file}.gz`), fixture.gz[file]);
      const message = await downloadError(fromMirror({ root }));
      expect(message).toContain(`Fashion-MNIST directory ${root} (the root option) cannot be used:`);
      expect(mirror.requests.size).toBe(0);
      expect(await cacheListing()).toEqual([]);
    } finally {
      await cleanRoot();
    }
  });

  it('follows redirects', async () => {
    mirror.route('/moved/train-labels-idx1-ubyte.gz', { kind: 'ok', body: labelsGz });
    mirror.route(path('train-labels-idx1-ubyte'), { kind: 'redirect', location: '/moved/train-labels-idx1-ubyte.gz' });
    const data = await loadFashionMnist(fromMirror());
    expect([...data.train.labels]).toEqual([...fixture.train.labels]);
  });

  it('draws a progress bar on the given stream', async () => {
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await loadFashionMnist(fromMirror({ progress: stream }));
    expect(output).toContain('train-images-idx3-ubyte.gz');
    expect(output).toContain('100%');
    expect(output).toContain('attempt 1');
  });
});

describe('download failures: retried, explained, and never leave a partial file in the cache', () => {
  it('retries a server error and succeeds', async () => {
    mirror.route(path('train-labels-idx1-ubyte'), {
      kind: 'sequence',
      routes: [
        { kind: 'status', status: 503 },
        { kind: 'ok', body: labelsGz },
      ],
    });
    await loadFashionMnist(fromMirror());
    expect(mirror.requests.get(path('train-labels-idx1-ubyte'))).toBe(2);
  });

  it('a connection cut mid-body', async () => {
    mirror.route(path('train-images-idx3-ubyte'), { kind: 'cut', body: imagesGz, sendBytes: 100 });
    const message = await downloadError(fromMirror());
    expect(mirror.requests.get(path('train-images-idx3-ubyte'))).toBe(3);
    expect(message).toContain('Fashion-MNIST file train-images-idx3-ubyte.gz was not found.');
    expect(message).toContain(`download from ${mirror.baseUrl}fashion/train-images-idx3-ubyte.gz: failed after 3 attempts`);
    expect(message).toMatch(new RegExp(`attempt 1: the connection (broke|closed|ended) after 100 of ${imagesGz.length} bytes`));
    expect(message).toContain(`${cacheDir} (user cache): no train-images-idx3-ubyte.gz`);
    expect(await cacheListing()).toEqual([]);
  });

  it('a body that ends early without a Content-Length (only the gzip stream shows it)', async () => {
    mirror.route(path('train-labels-idx1-ubyte'), { kind: 'short', body: labelsGz, sendBytes: labelsGz.length - 10 });
    const message = await downloadError(fromMirror());
    expect(message).toContain('attempt 3: truncated: the gzip stream ends before its end marker');
    expect(await cacheListing()).toEqual(verifiedBefore('train-labels-idx1-ubyte'));
  });

  it('a corrupt file (wrong SHA-256)', async () => {
    const raw = Buffer.from(fixture.raw['train-labels-idx1-ubyte']);
    raw[raw.length - 1] = ((raw[raw.length - 1] as number) + 1) % 10;
    mirror.route(path('train-labels-idx1-ubyte'), { kind: 'ok', body: gzipSync(raw) });
    const message = await downloadError(fromMirror());
    expect(mirror.requests.get(path('train-labels-idx1-ubyte'))).toBe(3);
    expect(message).toContain(`attempt 1: corrupt (or not Fashion-MNIST): the SHA-256 of its decompressed content is`);
    expect(message).toContain(`expected ${fixture.checksums['train-labels-idx1-ubyte'].sha256}`);
    expect(await cacheListing()).toEqual(verifiedBefore('train-labels-idx1-ubyte'));
  });

  it('a corrupt file whose IDX structure is broken', async () => {
    mirror.route(path('t10k-labels-idx1-ubyte'), { kind: 'ok', body: gzipSync(encodeIdx([3], Uint8Array.from([1, 2, 42]))) });
    const message = await downloadError(fromMirror({ retries: 0 }));
    expect(message).toContain('failed after 1 attempt (attempt 1: corrupt: label 42 at index 2 is outside 0..9)');
  });

  it('a stalled transfer times out, is retried, and leaves nothing behind', async () => {
    mirror.route(path('train-images-idx3-ubyte'), { kind: 'stall', body: imagesGz, sendBytes: 64 });
    const message = await downloadError(fromMirror({ timeoutMs: 150, retries: 1 }));
    expect(mirror.requests.get(path('train-images-idx3-ubyte'))).toBe(2);
    expect(message).toContain(`attempt 1: timed out: no data for 150 ms after 64 of ${imagesGz.length} bytes`);
    expect(message).toContain('attempt 2: timed out');
    expect(await cacheListing()).toEqual([]);
  });

  it('keeps the files verified before a failure, and only those', async () => {
    mirror.route(path('t10k-images-idx3-ubyte'), { kind: 'cut', body: fixture.gz['t10k-images-idx3-ubyte'], sendBytes: 10 });
    await downloadError(fromMirror());
    expect(await cacheListing()).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    expect(verifiedBefore('t10k-images-idx3-ubyte')).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
  });

  it('a cache directory that cannot be written', async () => {
    const notADir = join(cacheDir, 'plain-file');
    await writeFile(notADir, 'x');
    const message = await downloadError(fromMirror({ cacheDir: notADir }));
    expect(message).toContain(
      `Downloaded Fashion-MNIST file train-images-idx3-ubyte.gz is fine, but it could not be saved in the cache ${notADir}`,
    );
    expect(message).toContain('choose another one with the cacheDir option or XDG_CACHE_HOME');
  });

  it('does not retry a missing file (HTTP 404)', async () => {
    mirror.route(path('train-labels-idx1-ubyte'), { kind: 'status', status: 404 });
    const message = await downloadError(fromMirror());
    expect(mirror.requests.get(path('train-labels-idx1-ubyte'))).toBe(1);
    expect(message).toContain('failed after 1 attempt (attempt 1: HTTP 404 Not Found)');
    expect(message).toContain('set baseUrl to another Fashion-MNIST mirror');
  });

  it('stops during the pause between retries when the signal aborts', async () => {
    mirror.route(path('train-images-idx3-ubyte'), { kind: 'status', status: 503 });
    const controller = new AbortController();
    const loading = loadFashionMnist(fromMirror({ signal: controller.signal, retryDelayMs: 60_000 }));
    setTimeout(() => controller.abort(new Error('user cancelled while waiting')), 100);
    await expect(loading).rejects.toThrow('user cancelled while waiting');
    expect(mirror.requests.get(path('train-images-idx3-ubyte'))).toBe(1);
  });

  it('stops at once when the signal aborts', async () => {
    mirror.route(path('train-images-idx3-ubyte'), { kind: 'stall', body: imagesGz, sendBytes: 64 });
    const controller = new AbortController();
    const loading = loadFashionMnist(fromMirror({ signal: controller.signal, timeoutMs: 60_000 }));
    setTimeout(() => controller.abort(new Error('user cancelled')), 100);
    await expect(loading).rejects.toThrow('user cancelled');
    expect(mirror.requests.get(path('train-images-idx3-ubyte'))).toBe(1);
    expect(await cacheListing()).toEqual([]);
  });
});
