import { type MetricsFile, writeRunFiles } from './metrics-file.js';

/**
 * Writes metrics.json and curves.svg after every epoch without holding training up: `write` starts the (atomic) write
 * and returns; training goes on while the files are written and synced. Writes never overlap and never go back in
 * time: a write asked for while one is in progress waits for it, and only the latest one waiting is kept. A failure is
 * reported by the next `write` or by `flush`, which waits until everything asked for is on disk.
 */
export class RunFilesWriter {
  private running: Promise<void> | undefined;
  private next: Omit<MetricsFile, 'updatedAt'> | undefined;
  private failure: unknown;

  constructor(private readonly runDir: string) {}

  /** Queues `metrics` to be written (throws the error of an earlier write, if one failed). */
  write(metrics: Omit<MetricsFile, 'updatedAt'>): void {
    this.throwFailure();
    this.next = metrics;
    this.running ??= this.drain();
  }

  /** Resolves once every queued write is on disk; rejects with the first failure. */
  async flush(): Promise<void> {
    await this.running;
    this.throwFailure();
  }

  private async drain(): Promise<void> {
    try {
      while (this.next) {
        const metrics = this.next;
        this.next = undefined;
        await writeRunFiles(this.runDir, metrics);
      }
    } catch (error) {
      this.failure ??= error;
      this.next = undefined;
    } finally {
      this.running = undefined;
    }
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }
}
