import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ContentError } from './content-error.js';
import { decodeFile } from './decode.js';
import { FASHION_MNIST_CHECKSUMS } from './files.js';
import { encodeIdx } from './idx.js';
import { gunzip, NODE_DECODE_RUNTIME, sha256Hex } from './node-runtime.js';
import { makeFixture } from './test-fixtures.js';
import { verifyContent } from './verify.js';

const fixture = makeFixture();
const file = 'train-labels-idx1-ubyte';

describe('gunzip (Node)', () => {
  it('gunzips gzip bytes', async () => {
    expect(Buffer.from(await gunzip(fixture.gz[file])).equals(fixture.raw[file])).toBe(true);
  });

  it('says a cut-off gzip stream is truncated', async () => {
    const gz = fixture.gz['train-images-idx3-ubyte'];
    await expect(gunzip(gz.subarray(0, gz.length - 12))).rejects.toThrow(/truncated: the gzip stream ends before its end marker/);
  });

  it('says damaged gzip data is not a valid gzip stream', async () => {
    const gz = Buffer.from(fixture.gz['train-images-idx3-ubyte']);
    gz.fill(0xff, 10, 40);
    await expect(gunzip(gz)).rejects.toThrow(/not a valid gzip stream/);
  });
});

describe('verifyContent', () => {
  it('accepts content with the expected hash and size', async () => {
    await expect(verifyContent(fixture.raw[file], fixture.checksums[file], sha256Hex)).resolves.toBeUndefined();
  });

  it('names the actual and the expected SHA-256 of corrupt content', async () => {
    const changed = Uint8Array.from(fixture.raw[file]);
    changed[changed.length - 1] = (changed.at(-1) ?? 0) ^ 1;
    const actual = sha256Hex(changed);
    await expect(verifyContent(changed, fixture.checksums[file], sha256Hex)).rejects.toThrow(
      `corrupt (or not Fashion-MNIST): the SHA-256 of its decompressed content is ${actual}, expected ${fixture.checksums[file].sha256}`,
    );
  });

  it('reports a size mismatch before hashing', async () => {
    const hashNotCalled = (): string => {
      throw new Error('hashed although the size already tells');
    };
    await expect(verifyContent(fixture.raw[file], FASHION_MNIST_CHECKSUMS[file], hashNotCalled)).rejects.toThrow(
      /truncated: it decompresses to 38 bytes, expected 60008/,
    );
  });
});

describe('decodeFile', () => {
  it('decodes and verifies a gzip fixture', async () => {
    const idx = await decodeFile(file, fixture.gz[file], fixture.checksums[file], NODE_DECODE_RUNTIME);
    expect(idx.dims).toEqual([30]);
    expect([...idx.data]).toEqual([...fixture.train.labels]);
  });

  it('passes uncompressed IDX bytes through without gunzipping them', async () => {
    const idx = await decodeFile(file, fixture.raw[file], fixture.checksums[file], NODE_DECODE_RUNTIME);
    expect(idx.data.buffer).toBe(fixture.raw[file].buffer);
  });

  it('hashes with the runtime it is given (the browser passes crypto.subtle)', async () => {
    const hashed: number[] = [];
    const sha256 = async (bytes: Uint8Array): Promise<string> => {
      hashed.push(bytes.length);
      return sha256Hex(bytes);
    };
    await decodeFile(file, fixture.gz[file], fixture.checksums[file], { ...NODE_DECODE_RUNTIME, sha256Hex: sha256 });
    expect(hashed).toEqual([fixture.raw[file].length]);
  });

  it('rejects a structurally valid labels file with a label outside 0..9', async () => {
    const bad = encodeIdx([3], Uint8Array.from([1, 2, 11]));
    await expect(decodeFile(file, gzipSync(bad), undefined, NODE_DECODE_RUNTIME)).rejects.toThrow(
      'corrupt: label 11 at index 2 is outside 0..9',
    );
  });

  it('checks the structure before the hash, so a truncated file says truncated', async () => {
    const cut = fixture.raw['t10k-images-idx3-ubyte'].subarray(0, 50);
    const checksums = fixture.checksums['t10k-images-idx3-ubyte'];
    await expect(decodeFile('t10k-images-idx3-ubyte', gzipSync(cut), checksums, NODE_DECODE_RUNTIME)).rejects.toThrow(
      /truncated: the header declares 12×4×5 = 240 data bytes, but only 34 follow/,
    );
  });

  it('rejects the fixture against the real Fashion-MNIST table', async () => {
    await expect(decodeFile(file, fixture.gz[file], FASHION_MNIST_CHECKSUMS[file], NODE_DECODE_RUNTIME)).rejects.toBeInstanceOf(
      ContentError,
    );
  });
});
