import { SingleBar } from 'cli-progress';
import type { Output } from './io.js';

/** A cli-progress bar that draws itself on the first `update` and is cleared by `stop` (a no-op when not drawn). */
export interface ProgressBar {
  update(value: number, total: number, payload: Readonly<Record<string, unknown>>): void;
  stop(): void;
}

/**
 * The one cli-progress wrapper of the apps. `format` uses cli-progress's tokens (`{bar}`, `{value}`, `{total}`,
 * `{duration_formatted}`) and the payload's keys. Draw bars only where `out.isTTY`: a redrawn bar is noise in a log.
 */
export function progressBar(out: Output, format: string, barsize: number): ProgressBar {
  let bar: SingleBar | undefined;
  return {
    update(value, total, payload) {
      if (!bar) {
        bar = new SingleBar({ stream: out as unknown as NodeJS.WritableStream, format, clearOnComplete: true, hideCursor: true, barsize });
        bar.start(total, value, payload);
      } else {
        bar.setTotal(total);
        bar.update(value, payload);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
