import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ContentError } from './content-error.js';
import { decodeFile } from './decode.js';
import { FASHION_MNIST_CHECKSUMS } from './files.js';
import { decompress } from './gzip.js';
import { idxBytes, makeFixture } from './test-fixtures.js';
import { sha256Hex, verifyContent } from './verify.js';

const fixture = makeFixture();
const file = 'train-labels-idx1-ubyte';

describe('decompress', () => {
  it('gunzips gzip bytes and passes uncompressed IDX bytes through', async () => {
    expect(Buffer.from(await decompress(fixture.gz[file])).equals(fixture.raw[file])).toBe(true);
    expect(await decompress(fixture.raw[file])).toBe(fixture.raw[file]);
  });

  it('says a cut-off gzip stream is truncated', async () => {
    const gz = fixture.gz['train-images-idx3-ubyte'];
    await expect(decompress(gz.subarray(0, gz.length - 12))).rejects.toThrow(/truncated: the gzip stream ends before its end marker/);
  });

  it('says damaged gzip data is not a valid gzip stream', async () => {
    const gz = Buffer.from(fixture.gz['train-images-idx3-ubyte']);
    gz.fill(0xff, 10, 40);
    await expect(decompress(gz)).rejects.toThrow(/not a valid gzip stream/);
  });
});

describe('verifyContent', () => {
  it('accepts content with the expected hash and size', () => {
    expect(() => verifyContent(fixture.raw[file], fixture.checksums[file])).not.toThrow();
  });

  it('names the actual and the expected SHA-256 of corrupt content', () => {
    const changed = Uint8Array.from(fixture.raw[file]);
    changed[changed.length - 1] = (changed.at(-1) ?? 0) ^ 1;
    const actual = sha256Hex(changed);
    expect(() => verifyContent(changed, fixture.checksums[file])).toThrow(
      `corrupt (or not Fashion-MNIST): the SHA-256 of its decompressed content is ${actual}, expected ${fixture.checksums[file].sha256}`,
    );
  });

  it('reports a size mismatch before hashing', () => {
    expect(() => verifyContent(fixture.raw[file], FASHION_MNIST_CHECKSUMS[file])).toThrow(
      /truncated: it decompresses to 38 bytes, expected 60008/,
    );
  });
});

describe('decodeFile', () => {
  it('decodes and verifies a gzip fixture', async () => {
    const idx = await decodeFile(file, fixture.gz[file], fixture.checksums[file]);
    expect(idx.dims).toEqual([30]);
    expect([...idx.data]).toEqual([...fixture.train.labels]);
  });

  it('rejects a structurally valid labels file with a label outside 0..9', async () => {
    const bad = idxBytes([3], Uint8Array.from([1, 2, 11]));
    await expect(decodeFile(file, gzipSync(bad), undefined)).rejects.toThrow(/label 11 at index 2 is outside 0..9/);
  });

  it('checks the structure before the hash, so a truncated file says truncated', async () => {
    const cut = fixture.raw['t10k-images-idx3-ubyte'].subarray(0, 50);
    await expect(decodeFile('t10k-images-idx3-ubyte', gzipSync(cut), fixture.checksums['t10k-images-idx3-ubyte'])).rejects.toThrow(
      /truncated: the header declares 12×4×5 = 240 data bytes, but only 34 follow/,
    );
  });

  it('rejects the fixture against the real Fashion-MNIST table', async () => {
    await expect(decodeFile(file, fixture.gz[file], FASHION_MNIST_CHECKSUMS[file])).rejects.toBeInstanceOf(ContentError);
  });
});
