import type { EngineStatus } from '@xbackend/core';
import { type GridTarget, type PlanOptions, planTargets as planGridTargets } from '@xbackend/runs';
import { IDIOMATIC_BACKEND, IDIOMATIC_ENGINES_OF } from './measure-idiomatic.js';
import type { RunKind } from './protocol.js';

/** One row of the bench: an adapter engine, or the plain-tfjs baseline on a tfjs engine. */
export interface Target extends GridTarget {
  readonly kind: RunKind;
  /** Added as a baseline rather than asked for. */
  readonly baseline: boolean;
}

export interface TargetPlan {
  readonly targets: Target[];
  /** Engines not run because they cannot run here, with the reason and how to fix it. */
  readonly skipped: { readonly label: string; readonly reason: string }[];
}

/** The speed oracle every ratio is taken against: the same float32 arithmetic the other backends do. */
export const REFERENCE_BASELINE = 'reference/float32';

/** How the bench reads `--backends`: a name alone runs each of its engines available here. */
export function planOptions(requested: readonly string[] | undefined): PlanOptions {
  return { requested, engines: 'every-available', aliases: { [IDIOMATIC_BACKEND]: IDIOMATIC_ENGINES_OF }, what: '--backends item' };
}

function benchTarget(t: GridTarget, baseline: boolean): Target {
  return { ...t, kind: t.backend === IDIOMATIC_BACKEND ? 'idiomatic' : 'adapter', baseline };
}

/** A baseline `backend/engine`, run like any target (an unavailable one's row says why). */
function baselineTarget(label: string): Target {
  const [backend, engine] = label.split('/') as [string, string];
  return benchTarget({ backend, engine, label, unavailable: [] }, true);
}

/**
 * Turns `--backends` into runs (see runs' `planTargets`: without it every engine available here; `name/engine` runs
 * even when unavailable, so its row says why). Every target runs, in its own child process. The plain-tfjs baseline
 * `tfjs-idiomatic/<engine>` follows each tfjs engine, and reference/float32 is added (where the registry has it),
 * unless `baselines` is false.
 * An unknown backend or engine is an error before anything runs.
 */
export function planTargets(requested: readonly string[] | undefined, statuses: readonly EngineStatus[], baselines: boolean): TargetPlan {
  const plan = planGridTargets(statuses, planOptions(requested));
  const targets = plan.targets.map((t) => benchTarget(t, false));
  if (!baselines) return { targets, skipped: plan.skipped };
  const withBaselines: Target[] = [];
  // Only where the registry has it: a registry without the reference backend has no reference to compare with.
  const hasReference = statuses.some((s) => `${s.backend}/${s.engine}` === REFERENCE_BASELINE);
  if (hasReference && !targets.some((t) => t.label === REFERENCE_BASELINE)) withBaselines.push(baselineTarget(REFERENCE_BASELINE));
  for (const t of targets) {
    withBaselines.push(t);
    const idiomatic = `${IDIOMATIC_BACKEND}/${t.engine}`;
    if (
      t.kind === 'adapter' &&
      t.backend === IDIOMATIC_ENGINES_OF &&
      t.engine !== undefined &&
      !targets.some((u) => u.label === idiomatic)
    ) {
      withBaselines.push(baselineTarget(idiomatic));
    }
  }
  return { targets: withBaselines, skipped: plan.skipped };
}
