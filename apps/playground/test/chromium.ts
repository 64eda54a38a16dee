// Test helper: Debian's headless Chromium (package chromium-headless-shell), driven by playwright-core.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

/** The browser binary: $XB_CHROMIUM, else Debian's headless shell; undefined when there is none. */
export function chromiumPath(): string | undefined {
  return [process.env.XB_CHROMIUM, ...CANDIDATES].find((path): path is string => !!path && existsSync(path));
}

export const NO_CHROMIUM = 'no headless Chromium here (sudo apt install chromium-headless-shell, or set XB_CHROMIUM to a Chromium binary)';

/**
 * Flags: no sandbox (CI runs as root), nothing that phones home, a fresh profile per launch (playwright's default).
 * WebGPU is switched on so that the page can tell a GPU adapter from SwiftShader's fallback rather than see none.
 * The GPU process stays: WebGL runs on SwiftShader there.
 */
export function launchChromium(path: string): Promise<Browser> {
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
