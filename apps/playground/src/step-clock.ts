/**
 * Wall time per training step within an epoch, from the batch events. The first step of a run also compiles the
 * model, so each epoch's mean starts at its first step's end: (t_k − t_1) / (k − 1).
 */
export class StepClock {
  private first: number | undefined;
  private epoch = 0;

  /** Call at every batch event; returns the mean ms per step of this epoch so far (undefined after one step). */
  tick(epoch: number, batch: number, now = performance.now()): number | undefined {
    if (epoch !== this.epoch || batch === 1) {
      this.epoch = epoch;
      this.first = now;
      return undefined;
    }
    return this.first === undefined || batch < 2 ? undefined : (now - this.first) / (batch - 1);
  }
}
