import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from './fashion-mnist.js';
import { parseIdx } from './idx.js';
import { encodeIdx, writeSyntheticFashionMnist } from './synthetic.js';

describe('synthetic Fashion-MNIST', () => {
  it('encodes IDX files that parseIdx reads back', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
    const parsed = parseIdx(encodeIdx([2, 3, 4], data), 3);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect([...parsed.data]).toEqual([...data]);
    expect(() => encodeIdx([2, 2], data)).toThrow('encodeIdx: dims [2, 2] need 4 bytes, got 24.');
  });

  it('writes a data set the loader accepts without checksums', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xb-synthetic-'));
    try {
      await writeSyntheticFashionMnist(dir, { train: 50, test: 20 });
      const data = await loadFashionMnist({ root: dir, checksums: false, download: false, memoryCache: false });
      expect([data.train.count, data.test.count, data.train.rows, data.train.cols]).toEqual([50, 20, 28, 28]);
      expect(Math.max(...data.train.labels)).toBeLessThan(10);
      await expect(loadFashionMnist({ root: dir, download: false, memoryCache: false })).rejects.toThrow(
        /^Fashion-MNIST file \S+xb-synthetic-\S+ \((train|t10k)-/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
