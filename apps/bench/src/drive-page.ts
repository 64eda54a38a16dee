import { HARNESS_BINDING, type HarnessMessage, launchChromium } from '@xbackend/runs/browser';

export interface DriveOptions {
  readonly signal?: AbortSignal;
  /** Give up after this long (default: no limit). */
  readonly timeoutMs?: number;
  /** What a timeout says, e.g. which flag sets it. */
  readonly timeoutMessage: string;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The bench was interrupted.', 'AbortError');
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens `url` in a fresh headless Chromium (its own profile, so its own storage) and hands every message the page
 * sends its driver (`window.xbackendHarness`) to `listen` (with the browser's version), until `listen` returns a result. A crash, an uncaught error
 * in the page or a timeout ends it with `fail(reason)`. The browser is closed before this settles; aborting `signal`
 * closes it and rejects with the abort reason.
 */
export async function drivePage<R>(
  chromium: string,
  url: string,
  listen: (message: HarnessMessage, browserVersion: string) => R | undefined,
  fail: (reason: string) => R,
  options: DriveOptions,
): Promise<R> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const browser = await launchChromium(chromium);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<R>((resolve, reject) => {
      onAbort = () => reject(abortError(signal as AbortSignal));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve(fail(options.timeoutMessage)), options.timeoutMs);
      const drive = async () => {
        const page = await browser.newPage();
        page.on('crash', () => resolve(fail('the page crashed')));
        page.on('pageerror', (error) => resolve(fail(`the page threw: ${error.message}`)));
        await page.exposeFunction(HARNESS_BINDING, (message: HarnessMessage) => {
          const result = listen(message, browser.version());
          if (result !== undefined) resolve(result);
        });
        await page.goto(url);
      };
      // Once settled, closing the browser makes whatever is still pending here fail; that no longer matters.
      drive().catch((error: unknown) => resolve(fail(`could not drive the page: ${text(error)}`)));
    });
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await browser.close().catch(() => undefined);
  }
}
