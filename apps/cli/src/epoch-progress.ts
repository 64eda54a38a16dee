import { type Output, progressBar } from '@xbackend/runs';

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
function barProgress(out: Output, totalEpochs: number): Progress {
  const bar = progressBar(
    out,
    'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | {duration_formatted}',
    30,
  );
  return {
    batch: (p) =>
      bar.update(p.batch, p.numBatches, { epoch: p.epoch, epochs: totalEpochs, loss: p.trainLoss.toFixed(4), acc: p.trainAcc.toFixed(4) }),
    end: () => bar.stop(),
  };
}

export function createProgress(out: Output, totalEpochs: number, enabled: boolean): Progress {
  if (!enabled) return NO_PROGRESS;
  return out.isTTY ? barProgress(out, totalEpochs) : lineProgress(out, totalEpochs);
}
