import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error.js';
import { FASHION_MNIST_FILES } from './files.js';
import { makeFixture } from './test-fixtures.js';
import { startMirror, type TestMirror } from './test-server.js';
import { loadFashionMnist } from './web-load.js';
import { loadDataFashionMnist } from './web-load-data.js';

/**
 * The browser entry's loader, run in Node: fetch, DecompressionStream and crypto.subtle exist in both. (Cache
 * Storage does not exist in Node, so these runs read the network every time; the playground's browser tests cover
 * the cache.) Each test serves its files under its own folder of one mirror, since a page keeps what it decoded.
 */
describe('the browser loader (fetch, DecompressionStream, crypto.subtle)', () => {
  const fixture = makeFixture();
  let mirror: TestMirror;
  beforeAll(async () => {
    mirror = await startMirror();
  });
  afterAll(() => mirror.close());

  function serve(folder: string, change: Partial<Record<(typeof FASHION_MNIST_FILES)[number], Uint8Array | 404>> = {}): string {
    for (const file of FASHION_MNIST_FILES) {
      const body = change[file] ?? fixture.gz[file];
      mirror.route(`/${folder}/${file}.gz`, body === 404 ? { kind: 'status', status: 404 } : { kind: 'ok', body });
    }
    return `${mirror.baseUrl}${folder}/`;
  }

  it('gives the same iterators as the Node loader: seeded shuffle, test set in file order', async () => {
    const baseUrl = serve('same');
    const [train, test] = await loadDataFashionMnist(8, { baseUrl, checksums: fixture.checksums, seed: 3 });
    expect([train.numExamples, train.numBatches, test.numExamples]).toEqual([30, 4, 12]);
    const [first] = test.epoch(0);
    expect(Array.from(first?.y ?? [])).toEqual(Array.from(fixture.test.labels.subarray(0, 8)));
    const loaded = await loadFashionMnist({ baseUrl, checksums: fixture.checksums });
    expect(loaded.train.images).toEqual(fixture.train.images);
    expect(Object.values(loaded.sources).map((s) => s.origin)).toEqual(['network', 'network', 'network', 'network']);
  });

  it('names a missing file, where it looked and how to serve the files', async () => {
    const baseUrl = serve('missing', { 't10k-images-idx3-ubyte': 404 });
    const load = loadFashionMnist({ baseUrl, checksums: fixture.checksums });
    await expect(load).rejects.toBeInstanceOf(DatasetError);
    await expect(load).rejects.toThrow(
      new RegExp(
        `t10k-images-idx3-ubyte\\.gz was not found on the server \\(HTTP 404\\) \\(${baseUrl}t10k-images-idx3-ubyte\\.gz\\)[\\s\\S]*How to fix`,
      ),
    );
  });

  it('names a corrupt file: content that does not match its SHA-256, and a cut-off gzip stream', async () => {
    // One label changed: still valid IDX of the right size, so only the SHA-256 tells.
    const labels = Uint8Array.from(fixture.raw['train-labels-idx1-ubyte']);
    labels[20] = ((labels[20] ?? 0) + 1) % 10;
    const corrupt = serve('corrupt', { 'train-labels-idx1-ubyte': gzipSync(labels) });
    await expect(loadFashionMnist({ baseUrl: corrupt, checksums: fixture.checksums })).rejects.toThrow(
      /train-labels-idx1-ubyte\) is corrupt \(or not Fashion-MNIST\): the SHA-256 of its decompressed content is [0-9a-f]{64}[\s\S]*How to fix/,
    );
    const gz = fixture.gz['train-images-idx3-ubyte'];
    const cut = serve('cut', { 'train-images-idx3-ubyte': gz.subarray(0, gz.length - 20) });
    await expect(loadFashionMnist({ baseUrl: cut, checksums: fixture.checksums })).rejects.toThrow(
      /train-images-idx3-ubyte\) is truncated/,
    );
  });

  it('checks its options before fetching anything', async () => {
    await expect(loadDataFashionMnist(0, { baseUrl: mirror.baseUrl })).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(loadDataFashionMnist(8, { baseUrl: mirror.baseUrl, root: '/x' } as never)).rejects.toThrow(/Unknown option root/);
    await expect(loadFashionMnist({ baseUrl: 'ftp://[' })).rejects.toThrow(/baseUrl must be a URL/);
  });
});
