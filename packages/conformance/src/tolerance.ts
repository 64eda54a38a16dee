import type { CheckName } from './check.js';

/** How far one engine may be from the float64 reference in one check, and where that number comes from. */
export interface Tolerance {
  /** The largest error allowed (dimensionless: see the check's `relativeTo`). */
  readonly max: number;
  /** The worst error measured for this engine by this check (over its seeds and batches); `max` is derived from it. */
  readonly measured: number;
  /** Why this check needs more than the engine's general reason explains, where it does. */
  readonly reason?: string;
}

export interface EngineTolerances {
  /** Why this engine's results differ from float64 at all: its arithmetic. */
  readonly reason: string;
  /** The machine and date of the measurement. */
  readonly measuredOn: string;
  readonly checks: Readonly<Record<CheckName, Tolerance>>;
}

/** An adapter's tolerances, by engine name; kept in the adapter's own package (`src/tolerances.ts`). */
export type BackendTolerances = Readonly<Record<string, EngineTolerances>>;

/** A tolerance is at most this many times the worst error measured, so that a small real bug cannot hide under it. */
export const MAX_TOLERANCE_FACTOR = 10;

/** What is wrong with an engine's table (empty when nothing is): a missing reason, a limit under or far above its measurement. */
export function toleranceProblems(tolerances: EngineTolerances, checks: readonly CheckName[]): string[] {
  const problems: string[] = [];
  if (tolerances.reason.trim().length < 10) problems.push('the engine needs a reason (why it differs from float64)');
  if (tolerances.measuredOn.trim().length === 0) problems.push('measuredOn must say where and when the errors were measured');
  for (const name of checks) {
    const t = tolerances.checks[name];
    if (!t) {
      problems.push(`${name}: no tolerance`);
      continue;
    }
    if (!(t.max >= 0) || !Number.isFinite(t.max)) problems.push(`${name}: max must be a finite number >= 0, got ${t.max}`);
    if (!(t.measured >= 0) || !Number.isFinite(t.measured))
      problems.push(`${name}: measured must be a finite number >= 0, got ${t.measured}`);
    if (t.max < t.measured) problems.push(`${name}: max ${t.max} is below its own measurement ${t.measured}`);
    if (t.max > MAX_TOLERANCE_FACTOR * t.measured) {
      problems.push(
        `${name}: max ${t.max} is more than ${MAX_TOLERANCE_FACTOR}× the measured ${t.measured}; measure again or explain with a number`,
      );
    }
  }
  return problems;
}
