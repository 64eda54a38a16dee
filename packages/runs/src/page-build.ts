import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under `path` (dependencies, build outputs, test outputs and tests left out). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'test-output'].includes(entry.name) || entry.name.endsWith('.test.ts')) continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

/**
 * Whether the page at `appRoot` (a Vite app of this workspace, such as apps/playground) has a bundle in `dist/` that
 * is newer than everything it bundles: its `src/`, `index.html` and `vite.config.ts`, and every workspace package's
 * `src/` and `package.json`.
 */
export function builtPageIsCurrent(appRoot: string): boolean {
  const built = join(appRoot, 'dist', 'index.html');
  if (!existsSync(built)) return false;
  const packages = join(appRoot, '..', '..', 'packages');
  const sources = [join(appRoot, 'src'), join(appRoot, 'index.html'), join(appRoot, 'vite.config.ts')];
  for (const name of existsSync(packages) ? readdirSync(packages) : []) {
    sources.push(join(packages, name, 'src'), join(packages, name, 'package.json'));
  }
  return statSync(built).mtimeMs > Math.max(...sources.map(newest));
}
