// Debian's headless Chromium (package chromium-headless-shell), driven by playwright-core: the browser of the
// playground's tests and of the bench's browser rows.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

const CANDIDATES = ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

/** The browser binary: $XB_CHROMIUM, else Debian's headless shell; undefined when there is none. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return [env.XB_CHROMIUM, ...CANDIDATES].find((path): path is string => !!path && existsSync(path));
}

export const NO_CHROMIUM = 'no headless Chromium here (sudo apt install chromium-headless-shell, or set XB_CHROMIUM to a Chromium binary)';

/**
 * Starts Chromium with: no sandbox (CI runs as root), nothing that phones home, a fresh profile per launch
 * (playwright's default). WebGPU is switched on so that a page can tell a GPU adapter from SwiftShader's fallback
 * rather than see none. The GPU process stays: WebGL runs on SwiftShader there. playwright-core is loaded here, on
 * first use, so that importing this module costs nothing.
 */
export async function launchChromium(path: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: path,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--enable-unsafe-webgpu',
    ],
  });
}
