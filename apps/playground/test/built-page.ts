// Test helper: the built page (dist/), rebuilt when any source it bundles is newer, served as `vite preview` serves it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';
import config from '../vite.config.ts';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(APP_ROOT, '..', '..');

/** Newest modification time under `dir` (tests and build outputs left out). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  const info = statSync(dir);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'test-output'].includes(entry.name) || entry.name.endsWith('.test.ts')) continue;
    latest = Math.max(latest, newest(join(dir, entry.name)));
  }
  return latest;
}

/** Builds dist/ unless it is newer than the page's sources and every workspace package's sources. */
export async function ensureBuilt(): Promise<void> {
  const built = join(APP_ROOT, 'dist', 'index.html');
  const packages = join(REPO_ROOT, 'packages');
  const sources = [join(APP_ROOT, 'src'), join(APP_ROOT, 'index.html'), join(APP_ROOT, 'vite.config.ts')];
  for (const name of readdirSync(packages)) sources.push(join(packages, name, 'src'), join(packages, name, 'package.json'));
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...sources.map(newest))) return;
  // The config comes in through vitest (which reads workspace packages from source), not from Vite's config loader.
  await build({ ...config, root: APP_ROOT, configFile: false, logLevel: 'warn' });
}

/**
 * `vite preview` of dist/ with the playground's headers, serving the data files from `dataDir` (the machine's
 * Fashion-MNIST when undefined). A new port is a new origin: its Cache Storage starts empty.
 */
export async function servePage(dataDir?: string): Promise<{ url: string; dataRequests: () => number; close: () => Promise<void> }> {
  const previous = process.env.FASHION_MNIST_DIR;
  if (dataDir !== undefined) process.env.FASHION_MNIST_DIR = dataDir;
  let server: PreviewServer;
  try {
    server = await preview({
      ...config,
      root: APP_ROOT,
      configFile: false,
      preview: { ...config.preview, port: 0, host: '127.0.0.1', strictPort: false },
      logLevel: 'warn',
    });
  } finally {
    if (previous === undefined) delete process.env.FASHION_MNIST_DIR;
    else process.env.FASHION_MNIST_DIR = previous;
  }
  let requests = 0;
  server.httpServer.on('request', (request: { url?: string }) => {
    if (request.url?.includes('/data/fashion-mnist/')) requests++;
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its URL');
  return { url, dataRequests: () => requests, close: () => server.close() };
}
