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
  /** One entry per check the engine runs (every check but those `describeBackend`'s `skip` option names). */
  readonly checks: Readonly<Partial<Record<CheckName, Tolerance>>>;
}

/** An adapter's tolerances, by engine name; kept in the adapter's own package (`src/tolerances.ts`). */
export type BackendTolerances = Readonly<Record<string, EngineTolerances>>;

/**
 * The checks of the comparisons in a browser (apps/playground's tests), each against the float64 reference's run of the
 * same seed in Node. The book's settings for one epoch (seed 0) in the playground page: `epochCurve` and `epochWeights`
 * are the suite's measures of the same names (the running train loss after every batch; the weights after the epoch,
 * relative to the largest distance the reference's weights moved); `testAcc` is |Δ test accuracy| after the epoch
 * (0.0001 is one of the 10 000 test images). LeNet (§7.6's lr 0.9, Xavier-uniform init) for its first few steps:
 * `lenetSteps` is the largest relative error of the running train loss after each of them, the first step's included.
 */
export type BrowserCheckName = 'epochCurve' | 'epochWeights' | 'testAcc' | 'lenetSteps';

export const BROWSER_CHECK_NAMES: readonly BrowserCheckName[] = ['epochCurve', 'epochWeights', 'testAcc', 'lenetSteps'];

/** How far one browser engine's epoch may be from the float64 reference in Node, and where the numbers come from. */
export interface BrowserEngineTolerances {
  /** Why this engine's results in a browser differ from float64: its arithmetic there. */
  readonly reason: string;
  /** The browser, machine and date of the measurement. */
  readonly measuredOn: string;
  readonly checks: Readonly<Record<BrowserCheckName, Tolerance>>;
}

/**
 * An adapter's browser engines' tolerances, by engine name as the browser lists it; kept next to `TOLERANCES` in the
 * adapter's `src/tolerances.ts` as `BROWSER_TOLERANCES`. Separate from the Node table: a browser build may run other
 * kernels (threaded wasm, SwiftShader GL), and some engines exist only in a browser.
 */
export type BrowserTolerances = Readonly<Record<string, BrowserEngineTolerances>>;

/** A tolerance is at most this many times the worst error measured, so that a small real bug cannot hide under it. */
export const MAX_TOLERANCE_FACTOR = 10;

/**
 * What is wrong with an engine's table, Node's or a browser's (empty when nothing is): a missing reason, a limit under
 * or far above its measurement.
 */
export function toleranceProblems<C extends string>(
  tolerances: { readonly reason: string; readonly measuredOn: string; readonly checks: Readonly<Partial<Record<C, Tolerance>>> },
  checks: readonly C[],
): string[] {
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
