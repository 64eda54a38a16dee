// Test helper: the built page (dist/), rebuilt when any source it bundles is newer, served as a static host serves it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPageIsCurrent, type ServedPage, serveStaticPage } from '@xbackend/runs/browser';
import { build } from 'vite';
import config from '../vite.config.ts';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist/ unless it is newer than the page's sources and every workspace package's sources. */
export async function ensureBuilt(): Promise<void> {
  if (builtPageIsCurrent(APP_ROOT)) return;
  // The config comes in through vitest (which reads workspace packages from source), not from Vite's config loader.
  await build({ ...config, root: APP_ROOT, configFile: false, logLevel: 'warn' });
}

/**
 * dist/ on a plain static server with the page's headers (what `pnpm playground build` promises any static host can
 * do), the data files from `dataDir` (the machine's Fashion-MNIST when undefined). A new server is a new origin: its
 * Cache Storage starts empty.
 */
export function servePage(dataDir?: string): Promise<ServedPage> {
  return serveStaticPage(join(APP_ROOT, 'dist'), dataDir === undefined ? undefined : [dataDir]);
}
