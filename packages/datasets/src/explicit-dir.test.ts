import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatasetError } from './dataset-error.js';
import { loadFashionMnist } from './fashion-mnist.js';
import type { FashionMnistOptions } from './options.js';
import { makeFixture, tempDir, writeFixture } from './test-fixtures.js';

// A directory the user named (root option or FASHION_MNIST_DIR) is used or the load fails. In every test here the
// cache and the Debian package directory hold a complete, valid copy, so a silent fallback would make the load pass.
const fixture = makeFixture();
const FILES = 'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz';
const ON_ITS_OWN = 'A directory named explicitly is used on its own: the cache, the Debian package and downloads are not tried instead.';
const LEAVE_OUT_ROOT = '  - or leave out the root option to use the cache, the Debian package or a download';
let named: string;
let cacheDir: string;
let systemDir: string;
let cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  vi.stubEnv('FASHION_MNIST_DIR', '');
  const dirs = [await tempDir(), await tempDir(), await tempDir()];
  [named, cacheDir, systemDir] = dirs.map((d) => d.dir) as [string, string, string];
  cleanups = dirs.map((d) => d.cleanup);
  await writeFixture(cacheDir, fixture);
  await writeFixture(systemDir, fixture);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await chmod(named, 0o700);
  for (const cleanup of cleanups) await cleanup();
});

function options(extra: FashionMnistOptions = {}): FashionMnistOptions {
  return { cacheDir, systemDir, download: false, checksums: fixture.checksums, memoryCache: false, ...extra };
}

async function loadMessage(extra: FashionMnistOptions = {}): Promise<string> {
  const error = await loadFashionMnist(options(extra)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return (error as DatasetError).message;
}

/**
 * Runs `load` without the power to read everything: as the `nobody` user when the tests run as root (root passes
 * every permission check), else as the current user.
 */
async function withoutRootPowers<T>(load: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0) return load();
  process.seteuid?.(65534);
  try {
    return await load();
  } finally {
    process.seteuid?.(0);
  }
}

describe('a directory the user named is used, or the load fails', () => {
  it('uses it when it holds the four files', async () => {
    await writeFixture(named, fixture);
    const data = await loadFashionMnist(options({ root: named }));
    expect(Object.values(data.sources).map((s) => s.origin)).toEqual(['root', 'root', 'root', 'root']);
  });

  it('a root that does not exist', async () => {
    const missing = join(named, 'fashion-mnsit');
    expect(await loadMessage({ root: missing })).toBe(
      `Fashion-MNIST directory ${missing} (the root option) does not exist.\n${ON_ITS_OWN}\nHow to fix:\n` +
        `  - check the path for a typo, or create it and put the four files in it: ${FILES}\n${LEAVE_OUT_ROOT}`,
    );
  });

  it('a root that does not exist, named as the caller asks (rootLabel: a command line passes its flag)', async () => {
    const missing = join(named, 'fashion-mnsit');
    expect(await loadMessage({ root: missing, rootLabel: '--data-dir' })).toBe(
      `Fashion-MNIST directory ${missing} (--data-dir) does not exist.\n${ON_ITS_OWN}\nHow to fix:\n` +
        `  - check the path for a typo, or create it and put the four files in it: ${FILES}\n` +
        '  - or leave out --data-dir to use the cache, the Debian package or a download',
    );
  });

  it('a misspelled FASHION_MNIST_DIR', async () => {
    const missing = join(named, 'fashion-mnsit');
    vi.stubEnv('FASHION_MNIST_DIR', missing);
    expect(await loadMessage()).toBe(
      `Fashion-MNIST directory ${missing} (FASHION_MNIST_DIR) does not exist.\n${ON_ITS_OWN}\nHow to fix:\n` +
        `  - check the path for a typo, or create it and put the four files in it: ${FILES}\n` +
        '  - or unset FASHION_MNIST_DIR to use the cache, the Debian package or a download',
    );
  });

  it('a root that is a file', async () => {
    const file = join(named, 'train-images-idx3-ubyte.gz');
    await writeFile(file, fixture.gz['train-images-idx3-ubyte']);
    expect(await loadMessage({ root: file })).toBe(
      `Fashion-MNIST directory ${file} (the root option) is not a directory.\n${ON_ITS_OWN}\nHow to fix:\n` +
        `  - name the directory that holds the four files, not a file\n${LEAVE_OUT_ROOT}`,
    );
  });

  it('a directory that exists but cannot be read (EACCES)', async () => {
    await writeFixture(named, fixture);
    await chmod(named, 0o000);
    const message = await withoutRootPowers(() => loadMessage({ root: named }));
    expect(message).toBe(
      `Fashion-MNIST directory ${named} (the root option) exists but cannot be read (EACCES).\n${ON_ITS_OWN}\nHow to fix:\n` +
        `  - let this user search and read it, e.g. chmod a+rx ${named}\n${LEAVE_OUT_ROOT}`,
    );
  });

  it('a file that is missing, one that cannot be read (EACCES), one that cannot be resolved (ELOOP)', async () => {
    await writeFixture(named, fixture, ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte']);
    await chmod(join(named, 't10k-images-idx3-ubyte.gz'), 0o000);
    await symlink('train-labels-idx1-ubyte.gz', join(named, 'train-labels-idx1-ubyte.gz'));
    await chmod(named, 0o755);
    const message = await withoutRootPowers(() => loadMessage({ root: named }));
    expect(message).toBe(
      `Fashion-MNIST directory ${named} (the root option) cannot be used:\n` +
        '  - train-labels-idx1-ubyte.gz: exists but cannot be read (ELOOP)\n' +
        '  - t10k-images-idx3-ubyte.gz: exists but cannot be read (EACCES)\n' +
        '  - t10k-labels-idx1-ubyte.gz: missing (and no uncompressed t10k-labels-idx1-ubyte)\n' +
        `${ON_ITS_OWN}\nHow to fix:\n` +
        `  - put t10k-labels-idx1-ubyte.gz into ${named} (gzip'd as on the mirror, or uncompressed)\n` +
        `  - fix the files that exist but cannot be used: each must be a regular file this user can read (chmod a+r ${named}/*)\n` +
        LEAVE_OUT_ROOT,
    );
  });

  it('a directory where a file should be', async () => {
    await writeFixture(named, fixture, ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte']);
    await mkdir(join(named, 't10k-labels-idx1-ubyte.gz'));
    vi.stubEnv('FASHION_MNIST_DIR', named);
    const message = await loadMessage();
    expect(message).toContain(`Fashion-MNIST directory ${named} (FASHION_MNIST_DIR) cannot be used:\n`);
    expect(message).toContain('  - t10k-labels-idx1-ubyte.gz: not a regular file\n');
    expect(message).toContain('unset FASHION_MNIST_DIR');
  });
});
