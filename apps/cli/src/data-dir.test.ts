import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDataDir, runCli, tempDir } from './test-fixtures.js';

const TRAIN = ['train', '--backend', 'reference', '--no-verify-data', '--no-download', '--epochs', '1', '--no-progress'];

describe('--data-dir is used on its own: a folder that cannot be used fails, naming the flag', () => {
  it('a misspelled folder is an error, not a reason to read the cache or the system copy', async () => {
    const cwd = await tempDir();
    const missing = join(cwd, 'fashion-mnsit');
    const run = await runCli([...TRAIN, '--data-dir', missing], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Fashion-MNIST directory ${missing} (--data-dir) does not exist.`);
    expect(run.stderr).toContain('  - or leave out --data-dir to use the cache, the Debian package or a download');
    expect(run.stderr).not.toContain('root option');
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
  });

  it('a file that is there but cannot be read is said to be so, next to one that is missing', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'data');
    await mkdir(dir);
    const fixture = await fixtureDataDir();
    for (const file of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) await copyFile(join(fixture, file), join(dir, file));
    await mkdir(join(dir, 't10k-images-idx3-ubyte.gz'));
    const run = await runCli([...TRAIN, '--data-dir', dir], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `Fashion-MNIST directory ${dir} (--data-dir) cannot be used:\n` +
        '  - t10k-images-idx3-ubyte.gz: not a regular file\n' +
        '  - t10k-labels-idx1-ubyte.gz: missing (and no uncompressed t10k-labels-idx1-ubyte)\n',
    );
    expect(run.stderr).not.toContain('is not in --data-dir');
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
  });

  it('says so in --help', async () => {
    const help = await runCli(['train', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '--data-dir <dir> directory with the four Fashion-MNIST IDX files, used on its own: if it lacks a file or cannot be read, the command fails',
    );
  });
});
