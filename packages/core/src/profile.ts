/**
 * An optional timing hook: where the time of an epoch goes. Core's loop reports drawing batches (`data`), train steps
 * (`compute`) and test evaluation (`eval`); an adapter may report the host reads inside its calls (`read`); an
 * application its per-epoch bookkeeping (`write`). Phases nest (a `read` inside a `compute`), and the profiler decides
 * how to attribute nested time. Nothing is timed when no profiler is given.
 */
export type ProfilePhase = 'data' | 'compute' | 'read' | 'eval' | 'write';

export interface Profiler {
  /** Runs `work` as `phase` and returns what it returns (a promise is timed until it settles). */
  time<T>(phase: ProfilePhase, work: () => T): T;
}

/** `work()`, timed as `phase` when there is a profiler. */
export function timed<T>(profiler: Profiler | undefined, phase: ProfilePhase, work: () => T): T {
  return profiler ? profiler.time(phase, work) : work();
}
