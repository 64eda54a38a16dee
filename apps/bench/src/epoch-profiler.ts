import type { ProfilePhase, Profiler } from '@xbackend/core';
import type { EpochSplit } from './protocol.js';

interface Frame {
  readonly phase: ProfilePhase;
  readonly start: number;
  /** Time spent in phases nested inside this one. */
  nested: number;
}

/**
 * Core's profiling hook as the bench reads it: exclusive time per phase, so a host read inside a train step counts
 * as `read`, not as `compute`. Everything inside an evaluation counts as `eval` (its batches, steps and reads).
 */
export class EpochProfiler implements Profiler {
  private readonly stack: Frame[] = [];
  private totals: Record<ProfilePhase, number> = EpochProfiler.zero();

  private static zero(): Record<ProfilePhase, number> {
    return { data: 0, compute: 0, read: 0, eval: 0, write: 0 };
  }

  time<T>(phase: ProfilePhase, work: () => T): T {
    if (this.stack.some((f) => f.phase === 'eval')) return work();
    const frame: Frame = { phase, start: performance.now(), nested: 0 };
    this.stack.push(frame);
    const end = () => {
      this.stack.pop();
      const ms = performance.now() - frame.start;
      this.totals[phase] += ms - frame.nested;
      const parent = this.stack.at(-1);
      if (parent) parent.nested += ms;
    };
    let result: T;
    try {
      result = work();
    } catch (error) {
      end();
      throw error;
    }
    if (result instanceof Promise) return result.finally(end) as T;
    end();
    return result;
  }

  /** The split of an epoch that took `epochMs` (the rest is `other`), plus the writes timed after it; then starts afresh. */
  take(epochMs: number): EpochSplit {
    const { data, compute, read, eval: evaluation, write } = this.totals;
    this.totals = EpochProfiler.zero();
    return { data, compute, read, eval: evaluation, other: Math.max(0, epochMs - data - compute - read - evaluation), write };
  }
}
