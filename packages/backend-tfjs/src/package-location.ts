import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Directory of an installed package's entry file, or `undefined` when it cannot be resolved from this adapter. */
export function entryDirectory(packageName: string): string | undefined {
  try {
    return dirname(require.resolve(packageName));
  } catch {
    return undefined;
  }
}

/** Root directory of an installed package (where its package.json is), or `undefined`. */
export function packageRoot(packageName: string): string | undefined {
  try {
    return dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    return undefined;
  }
}

/** Whether `root/lib/napi-v*\/<file>` exists: where node-pre-gyp puts a native addon (tfjs-node's binding). */
export function hasNapiAddon(root: string, file: string): boolean {
  const lib = join(root, 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib).some((dir) => dir.startsWith('napi-v') && existsSync(join(lib, dir, file)));
}
