import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_DATASET_DIR } from './files.js';
import { defaultCacheDir, describePlace, findFile, searchPlaces } from './locate.js';
import { tempDir } from './test-fixtures.js';

describe('defaultCacheDir', () => {
  it('follows XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/xbackend/fashion-mnist');
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative/cache' })).toBe(join(homedir(), '.cache', 'xbackend', 'fashion-mnist'));
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'xbackend', 'fashion-mnist'));
  });
});

describe('searchPlaces', () => {
  it('without a named directory: the user cache, then the Debian package directory', () => {
    expect(searchPlaces({ cacheDir: '/c' }, {})).toEqual([
      { kind: 'cache', dir: '/c' },
      { kind: 'system', dir: SYSTEM_DATASET_DIR },
    ]);
  });

  it('searches a named directory alone: the root option, else FASHION_MNIST_DIR', () => {
    const env = { FASHION_MNIST_DIR: '/env/fm', XDG_CACHE_HOME: '/xdg' };
    expect(searchPlaces({ root: '/data/fm', cacheDir: '/c' }, {})).toEqual([{ kind: 'root', dir: '/data/fm' }]);
    expect(searchPlaces({}, env)).toEqual([{ kind: 'env', dir: '/env/fm' }]);
    expect(searchPlaces({ root: '/r' }, env)).toEqual([{ kind: 'root', dir: '/r' }]);
    expect(searchPlaces({}, { FASHION_MNIST_DIR: '', XDG_CACHE_HOME: '/xdg' }).map((p) => p.kind)).toEqual(['cache', 'system']);
  });

  it('searches a directory named twice only once, under its first role', () => {
    expect(searchPlaces({ cacheDir: '/same', systemDir: '/same/' }, {}).map((p) => p.kind)).toEqual(['cache']);
  });

  it('describes every place so that an error message can name it', () => {
    expect(describePlace({ kind: 'system', dir: '/usr/share/datasets/fashion-mnist' })).toMatch(/dataset-fashion-mnist/);
    expect(describePlace({ kind: 'env', dir: '/x' })).toBe('/x (FASHION_MNIST_DIR)');
  });
});

describe('findFile', () => {
  let dirs: { dir: string; cleanup: () => Promise<void> }[] = [];
  beforeEach(async () => {
    dirs = [await tempDir(), await tempDir()];
  });
  afterEach(async () => {
    for (const d of dirs) await d.cleanup();
  });

  it('returns the first place holding <file>.gz or <file>, preferring .gz within a place', async () => {
    const [a, b] = dirs.map((d) => d.dir) as [string, string];
    const places = [
      { kind: 'root' as const, dir: a },
      { kind: 'cache' as const, dir: b },
    ];
    await writeFile(join(b, 'train-labels-idx1-ubyte'), 'x');
    let found = await findFile('train-labels-idx1-ubyte', places);
    expect(found.located?.path).toBe(join(b, 'train-labels-idx1-ubyte'));
    expect(found.outcomes.map((o) => o.note)).toEqual([
      'no train-labels-idx1-ubyte.gz or train-labels-idx1-ubyte',
      'found train-labels-idx1-ubyte',
    ]);
    await writeFile(join(b, 'train-labels-idx1-ubyte.gz'), 'x');
    found = await findFile('train-labels-idx1-ubyte', places);
    expect(found.located?.path).toBe(join(b, 'train-labels-idx1-ubyte.gz'));
    await writeFile(join(a, 'train-labels-idx1-ubyte'), 'x');
    found = await findFile('train-labels-idx1-ubyte', places);
    expect(found.located).toEqual({ path: join(a, 'train-labels-idx1-ubyte'), place: places[0] });
  });

  it('passes over a directory named like the file, saying why', async () => {
    const [a] = dirs.map((d) => d.dir) as [string];
    await mkdir(join(a, 't10k-labels-idx1-ubyte.gz'));
    const found = await findFile('t10k-labels-idx1-ubyte', [{ kind: 'root', dir: a }]);
    expect(found.located).toBeUndefined();
    expect(found.outcomes[0]?.note).toBe('t10k-labels-idx1-ubyte.gz: not a regular file');
  });
});
