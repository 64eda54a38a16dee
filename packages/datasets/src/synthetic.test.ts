import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from './fashion-mnist.js';
import { writeSyntheticFashionMnist } from './synthetic.js';

describe('synthetic Fashion-MNIST', () => {
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
