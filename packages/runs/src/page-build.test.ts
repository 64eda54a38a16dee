import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtPageIsCurrent } from './page-build.js';
import { tempDir } from './test-fixtures.js';

/** A workspace with one app (`apps/page`) and one package, every file dated `at` (seconds). */
async function workspace(at: number): Promise<{ app: string; files: string[] }> {
  const root = await tempDir();
  const app = join(root, 'apps', 'page');
  const files = [
    join(app, 'src', 'main.ts'),
    join(app, 'index.html'),
    join(app, 'vite.config.ts'),
    join(root, 'packages', 'core', 'src', 'index.ts'),
    join(root, 'packages', 'core', 'package.json'),
  ];
  for (const file of files) {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, '');
    await utimes(file, at, at);
  }
  return { app, files };
}

async function build(app: string, at: number): Promise<void> {
  await mkdir(join(app, 'dist'), { recursive: true });
  await writeFile(join(app, 'dist', 'index.html'), '');
  await utimes(join(app, 'dist', 'index.html'), at, at);
}

describe('builtPageIsCurrent', () => {
  it('is false without a bundle, true once the bundle is newer than every source', async () => {
    const { app } = await workspace(1000);
    expect(builtPageIsCurrent(app)).toBe(false);
    await build(app, 2000);
    expect(builtPageIsCurrent(app)).toBe(true);
  });

  it("is false when any source it bundles is newer: the app's own files or a workspace package's", async () => {
    const { app, files } = await workspace(1000);
    await build(app, 2000);
    for (const file of files) {
      await utimes(file, 3000, 3000);
      expect(builtPageIsCurrent(app), file).toBe(false);
      await utimes(file, 1000, 1000);
    }
    // Tests and test outputs are not bundled.
    await mkdir(join(app, 'test-output'));
    await writeFile(join(app, 'src', 'main.test.ts'), '');
    await writeFile(join(app, 'test-output', 'shot.png'), '');
    expect(builtPageIsCurrent(app)).toBe(true);
  });
});
