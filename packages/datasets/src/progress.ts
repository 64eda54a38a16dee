import cliProgress from 'cli-progress';
import type { DownloadProgress } from './download.js';

/** Receives download progress for one file, then `stop()` once that file is done or failed. */
export interface ProgressSink {
  update(progress: DownloadProgress): void;
  stop(): void;
}

const MB = 1024 * 1024;

/** A cli-progress bar on `stream`; a retry restarts the bar, since it starts again from zero bytes. */
export function createProgressBar(stream: NodeJS.WritableStream): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{file} [{bar}] {percentage}% | {received}/{total_mb} MB | attempt {attempt}',
      // The caller decided to show progress; cli-progress would otherwise stay silent on a non-TTY stream.
      noTTYOutput: true,
      hideCursor: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let attempt = 0;
  return {
    update(progress) {
      const payload = {
        file: progress.file,
        attempt: progress.attempt,
        received: (progress.receivedBytes / MB).toFixed(1),
        total_mb: progress.totalBytes === undefined ? '?' : (progress.totalBytes / MB).toFixed(1),
      };
      if (progress.attempt !== attempt) {
        if (attempt !== 0) bar.stop();
        attempt = progress.attempt;
        bar.start(progress.totalBytes ?? 0, progress.receivedBytes, payload);
      } else {
        if (progress.totalBytes === undefined) bar.setTotal(progress.receivedBytes);
        bar.update(progress.receivedBytes, payload);
      }
    },
    stop() {
      if (attempt !== 0) bar.stop();
      attempt = 0;
    },
  };
}
