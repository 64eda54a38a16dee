import { type EngineStatus, InvalidArgumentError, UnknownBackendError, UnknownEngineError } from '@xbackend/core';
import { IDIOMATIC_BACKEND } from './measure-idiomatic.js';
import type { RunKind } from './protocol.js';

/** One row of the bench: an adapter engine, or the plain-tfjs baseline on a tfjs engine. */
export interface Target {
  readonly kind: RunKind;
  readonly backend: string;
  /** Undefined only when the backend's engines are unknown (its package failed to load); the run then reports why. */
  readonly engine?: string;
  /** `backend/engine`, as in the tables and in `--backends`. */
  readonly label: string;
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

function target(backend: string, engine: string | undefined, baseline = false): Target {
  return {
    kind: backend === IDIOMATIC_BACKEND ? 'idiomatic' : 'adapter',
    backend,
    ...(engine === undefined ? {} : { engine }),
    label: engine === undefined ? backend : `${backend}/${engine}`,
    baseline,
  };
}

function parseItem(item: string): { backend: string; engine?: string } {
  const [backend = '', engine, ...rest] = item.trim().split('/');
  if (backend === '' || engine === '' || rest.length > 0) {
    throw new InvalidArgumentError(`--backends item '${item}' is not of the form name or name/engine (e.g. onnxruntime or tfjs/wasm).`);
  }
  return engine === undefined ? { backend } : { backend, engine };
}

/**
 * Turns `--backends` into runs. Without it: every engine available here. `name` alone: every available engine of
 * that backend. `name/engine`: that engine, run even when unavailable (its row then says why). The plain-tfjs
 * baseline `tfjs-idiomatic/<engine>` follows each tfjs engine, and reference/float32 is added, unless `baselines`
 * is false. An unknown backend or engine is an error before anything runs.
 */
export function planTargets(requested: readonly string[] | undefined, statuses: readonly EngineStatus[], baselines: boolean): TargetPlan {
  // The baseline's engines are tfjs's engines.
  const engineStatuses = (backend: string) => statuses.filter((s) => s.backend === (backend === IDIOMATIC_BACKEND ? 'tfjs' : backend));
  const known = [...new Set(statuses.map((s) => s.backend)), IDIOMATIC_BACKEND];
  const targets: Target[] = [];
  const skipped: TargetPlan['skipped'] = [];
  const add = (t: Target) => {
    if (!targets.some((u) => u.label === t.label)) targets.push(t);
  };
  const skip = (backend: string, s: EngineStatus) => {
    const label = `${backend}/${s.engine}`;
    if (!skipped.some((k) => k.label === label)) skipped.push({ label, reason: s.reason ?? 'unavailable' });
  };

  const items = requested ?? [...new Set(statuses.map((s) => s.backend))];
  for (const item of items) {
    const { backend, engine } = parseItem(item);
    if (!known.includes(backend)) throw new UnknownBackendError(backend, known);
    const engines = engineStatuses(backend);
    // '*' means the adapter package itself failed to load, so its engine names are unknown.
    const loadFailure = engines.find((s) => s.engine === '*');
    if (engine !== undefined) {
      if (!loadFailure && !engines.some((s) => s.engine === engine)) {
        throw new UnknownEngineError(
          backend,
          engine,
          engines.map((s) => s.engine),
        );
      }
      add(target(backend, engine));
      continue;
    }
    if (loadFailure) {
      if (requested) add(target(backend, undefined));
      else skip(backend, loadFailure);
      continue;
    }
    const available = engines.filter((s) => s.available);
    for (const s of engines.filter((e) => !e.available)) skip(backend, s);
    // Asked for by name with nothing available: run it anyway, so its row carries loadBackend's explanation.
    if (available.length === 0 && requested) add(target(backend, undefined));
    for (const s of available) add(target(backend, s.engine));
  }

  if (!baselines) return { targets, skipped };
  const withBaselines: Target[] = [];
  if (!targets.some((t) => t.label === REFERENCE_BASELINE)) {
    const [backend, engine] = REFERENCE_BASELINE.split('/') as [string, string];
    withBaselines.push(target(backend, engine, true));
  }
  for (const t of targets) {
    withBaselines.push(t);
    const idiomatic = `${IDIOMATIC_BACKEND}/${t.engine}`;
    if (t.kind === 'adapter' && t.backend === 'tfjs' && t.engine !== undefined && !targets.some((u) => u.label === idiomatic)) {
      withBaselines.push(target(IDIOMATIC_BACKEND, t.engine, true));
    }
  }
  return { targets: withBaselines, skipped };
}
