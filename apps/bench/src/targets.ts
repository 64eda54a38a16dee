import type { EngineStatus, ModelPreset } from '@xbackend/core';
import { type GridTarget, type PlanOptions, planTargets as planGridTargets } from '@xbackend/runs';
import { ONNXRUNTIME_FLOOR } from './floor-onnxruntime.js';
import { TFJS_FLOOR } from './floor-tfjs.js';
import { IDIOMATIC_BACKEND, IDIOMATIC_ENGINES_OF, IDIOMATIC_MODELS } from './measure-idiomatic.js';
import { isPeer, type PeerName } from './measure-peer.js';
import type { RunKind } from './protocol.js';

/** One row of the bench: an adapter engine, or a baseline (plain tfjs, a framework floor, a Python peer). */
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

/**
 * Baseline rows named after the adapter whose engines they run on: `tfjs-idiomatic/wasm` follows `tfjs/wasm`. `models`:
 * the models it is written for, and why the others have none (default: every model).
 */
const ENGINE_BASELINES: readonly {
  readonly name: string;
  readonly of: string;
  readonly kind: RunKind;
  readonly engines?: readonly string[];
  readonly models?: { readonly runs: readonly ModelPreset[]; readonly otherwise: string };
}[] = [
  { name: IDIOMATIC_BACKEND, of: IDIOMATIC_ENGINES_OF, kind: 'idiomatic', models: IDIOMATIC_MODELS },
  { name: TFJS_FLOOR, of: 'tfjs', kind: 'floor', engines: ['wasm', 'cpu', 'tensorflow'] },
  { name: ONNXRUNTIME_FLOOR, of: 'onnxruntime', kind: 'floor', engines: ['cpu', 'cuda'] },
];

/** For `adapter/engine`, the floor row it is compared with (`× floor`), if its framework has one. */
export function floorOf(label: string): string | undefined {
  const [backend, engine] = label.split('/');
  const floor = ENGINE_BASELINES.find((b) => b.kind === 'floor' && b.of === backend && (!b.engines || b.engines.includes(engine ?? '')));
  return floor ? `${floor.name}/${engine}` : undefined;
}

/** How the bench reads `--backends`: a name alone runs each of its engines available here; baselines by name too. */
export function planOptions(requested: readonly string[] | undefined): PlanOptions {
  const aliases = Object.fromEntries(ENGINE_BASELINES.map((b) => [b.name, b.of]));
  return { requested, engines: 'every-available', aliases, what: '--backends item' };
}

function benchTarget(t: GridTarget, baseline: boolean): Target {
  return { ...t, kind: ENGINE_BASELINES.find((b) => b.name === t.backend)?.kind ?? 'adapter', baseline };
}

/** A baseline row, run like any target (an unavailable one's row says why). */
function baselineTarget(label: string): Target {
  const [backend = label, engine] = label.split('/');
  return benchTarget({ backend, ...(engine === undefined ? {} : { engine }), label, unavailable: [] }, true);
}

/** A Python peer: its own kind (its backend name is the peer's). */
function peerTarget(peer: PeerName): Target {
  return { backend: peer, label: peer, unavailable: [], kind: 'peer', baseline: true };
}

/** Why the baseline row `label` does not exist for `model`, or undefined when it does (adapter rows always do). */
function notWrittenFor(label: string, model: ModelPreset): string | undefined {
  const [backend] = label.split('/');
  const models = ENGINE_BASELINES.find((b) => b.name === backend)?.models;
  return models && !models.runs.includes(model) ? models.otherwise : undefined;
}

/** Whether `label` is a baseline row (plain tfjs, a floor, a Python peer) rather than an adapter's. */
export function isBaselineLabel(label: string): boolean {
  return isPeer(label) || ENGINE_BASELINES.some((b) => label.startsWith(`${b.name}/`));
}

/**
 * Turns `--backends` into runs (see runs' `planTargets`: without it every engine available here; `name/engine` runs
 * even when unavailable, so its row says why). Every target runs, in its own child process. Unless `baselines` is
 * false: reference/float32 comes first (where the registry has it); each tfjs engine is followed by
 * `tfjs-idiomatic/<engine>` and `tfjs-floor/<engine>`, each onnxruntime engine by `onnxruntime-floor/<engine>`; the
 * Python `peers` that can run here come last (the others are skipped, with the reason). A baseline not written for
 * `model` is skipped, with the reason, even when asked for by name.
 * An unknown backend or engine is an error before anything runs.
 */
export function planTargets(
  requested: readonly string[] | undefined,
  statuses: readonly EngineStatus[],
  baselines: boolean,
  peers: readonly { readonly peer: PeerName; readonly unavailable: string | undefined }[] = [],
  model: ModelPreset = 'softmax',
): TargetPlan {
  const plan = planGridTargets(statuses, planOptions(requested));
  const skipped = [...plan.skipped];
  const skip = (label: string): boolean => {
    const reason = notWrittenFor(label, model);
    if (reason !== undefined && !skipped.some((k) => k.label === label)) skipped.push({ label, reason });
    return reason !== undefined;
  };
  const targets = plan.targets.filter((t) => !skip(t.label)).map((t) => benchTarget(t, false));
  if (!baselines) return { targets, skipped };
  const withBaselines: Target[] = [];
  // Only where the registry has it: a registry without the reference backend has no reference to compare with.
  const hasReference = statuses.some((s) => `${s.backend}/${s.engine}` === REFERENCE_BASELINE);
  if (hasReference && !targets.some((t) => t.label === REFERENCE_BASELINE)) withBaselines.push(baselineTarget(REFERENCE_BASELINE));
  for (const t of targets) {
    withBaselines.push(t);
    if (t.kind !== 'adapter' || t.engine === undefined) continue;
    for (const b of ENGINE_BASELINES) {
      const label = `${b.name}/${t.engine}`;
      const applies = b.of === t.backend && (!b.engines || b.engines.includes(t.engine));
      if (applies && !targets.some((u) => u.label === label) && !skip(label)) withBaselines.push(baselineTarget(label));
    }
  }
  for (const { peer, unavailable } of peers) {
    if (unavailable === undefined) withBaselines.push(peerTarget(peer));
    else skipped.push({ label: peer, reason: unavailable });
  }
  return { targets: withBaselines, skipped };
}
