import { SingleBar } from 'cli-progress';
import type { Output } from './io.js';

export interface BatchProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly numBatches: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
}

/** Shows training progress within an epoch; `end()` before anything else is printed. */
export interface Progress {
  batch(p: BatchProgress): void;
  end(): void;
}

const NO_PROGRESS: Progress = { batch() {}, end() {} };

/** Plain lines at every quarter of an epoch: readable in logs and CI, where a redrawn bar would be noise. */
function lineProgress(out: Output, totalEpochs: number): Progress {
  let printed = 0;
  return {
    batch(p) {
      const quarter = Math.floor((4 * p.batch) / p.numBatches);
      if (p.batch === 1) printed = 0;
      if (quarter <= printed) return;
      printed = quarter;
      const percent = String(Math.round((100 * p.batch) / p.numBatches)).padStart(3);
      out.write(
        `epoch ${p.epoch}/${totalEpochs} ${percent}% (${p.batch}/${p.numBatches} batches)  loss ${p.trainLoss.toFixed(4)}  acc ${p.trainAcc.toFixed(4)}\n`,
      );
    },
    end() {},
  };
}

/** A cli-progress bar per epoch with the running loss and accuracy, cleared when the epoch's table row prints. */
function barProgress(stream: NodeJS.WritableStream, totalEpochs: number): Progress {
  let bar: SingleBar | undefined;
  return {
    batch(p) {
      const payload = { epoch: p.epoch, epochs: totalEpochs, loss: p.trainLoss.toFixed(4), acc: p.trainAcc.toFixed(4) };
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | {duration_formatted}',
          clearOnComplete: true,
          hideCursor: true,
          barsize: 30,
        });
        bar.start(p.numBatches, p.batch, payload);
      } else bar.update(p.batch, payload);
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}

export function createProgress(out: Output, totalEpochs: number, enabled: boolean): Progress {
  if (!enabled) return NO_PROGRESS;
  return out.isTTY ? barProgress(out as unknown as NodeJS.WritableStream, totalEpochs) : lineProgress(out, totalEpochs);
}
