import type { ProfilePhase, Profiler } from '@xbackend/core';

/**
 * Core's profiling hook as the page reads it: the wall time of every train step (`compute`, host reads included) and
 * of the test evaluations (`eval`), taken and reset after each epoch. Other phases run untimed.
 */
export class StepTimes implements Profiler {
  private steps: number[] = [];
  private evaluation = 0;

  time<T>(phase: ProfilePhase, work: () => T): T {
    if (phase !== 'compute' && phase !== 'eval') return work();
    const started = performance.now();
    const record = () => {
      const ms = performance.now() - started;
      if (phase === 'compute') this.steps.push(ms);
      else this.evaluation += ms;
    };
    const result = work();
    if (result instanceof Promise) return result.finally(record) as T;
    record();
    return result;
  }

  /** This epoch's step times and evaluation time; the next epoch starts from nothing. */
  take(): { stepMs: number[]; evalMs: number } {
    const taken = { stepMs: this.steps, evalMs: this.evaluation };
    this.steps = [];
    this.evaluation = 0;
    return taken;
  }
}
