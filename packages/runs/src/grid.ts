import {
  type BackendRegistry,
  BackendUnavailableError,
  defaultRegistry,
  type EngineAttempt,
  type EngineStatus,
  engineStatuses,
  listBackends,
  resolveAdapter,
  UnknownBackendError,
  UnknownEngineError,
} from '@xbackend/core';
import { isAbort } from './errors.js';
import { parseBackendChoice } from './flags.js';

/** One backend/engine of a grid (a row of the bench, a backend of `xbackend sweep`). */
export interface GridTarget {
  /** What `loadBackend` is given: a short name, a package name or a path (or an alias its app runs itself). */
  readonly backend: string;
  /** Undefined when the engine is left to `loadBackend`: the backend's engines are unknown (its package failed to load) or none can run. */
  readonly engine?: string;
  /** `backend/engine`, as in tables and on the command line. */
  readonly label: string;
  /** Why it cannot run here, one entry per engine (empty when it can). */
  readonly unavailable: readonly EngineAttempt[];
}

export interface TargetPlan {
  readonly targets: GridTarget[];
  /** Engines left out because they cannot run here, with the reason and how to fix it. */
  readonly skipped: { readonly label: string; readonly reason: string }[];
}

export interface PlanOptions {
  /** `name` or `name/engine` items; undefined: every backend of the registry. */
  readonly requested?: readonly string[] | undefined;
  /**
   * What a backend named without an engine stands for: each of its engines that can run here (the bench), or the
   * one `loadBackend` would choose, its first available (`xbackend sweep`).
   */
  readonly engines: 'every-available' | 'first-available';
  /** Names an app runs itself on another backend's engines, e.g. the bench's `{ 'tfjs-idiomatic': 'tfjs' }`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** How the items are named in errors, e.g. `--backends item`. */
  readonly what: string;
}

export interface StatusOptions {
  readonly registry?: BackendRegistry;
  /** Where adapter packages are resolved from (as for `loadBackend`). */
  readonly resolveFrom?: string;
}

function attemptOf(s: EngineStatus): EngineAttempt {
  return { backend: s.backend, engine: s.engine, reason: s.reason ?? 'unavailable' };
}

function target(backend: string, engine: string | undefined, unavailable: readonly EngineStatus[]): GridTarget {
  return {
    backend,
    ...(engine === undefined ? {} : { engine }),
    label: engine === undefined ? backend : `${backend}/${engine}`,
    unavailable: unavailable.map(attemptOf),
  };
}

/**
 * Every engine a grid may use, with its availability: the registry's backends from one `listBackends`, plus each
 * requested package name or path (core resolves those directly). An unknown name is an error before anything runs.
 */
export async function gridStatuses(options: PlanOptions & StatusOptions): Promise<EngineStatus[]> {
  const registry = options.registry ?? defaultRegistry;
  const statuses = await listBackends({ registry, ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}) });
  const known = [...registry.names, ...Object.keys(options.aliases ?? {})];
  for (const item of options.requested ?? []) {
    const { backend } = parseBackendChoice(item, options.what);
    if (known.includes(backend) || statuses.some((s) => s.backend === backend)) continue;
    try {
      const adapter = await resolveAdapter(backend, registry, options.resolveFrom);
      // Under the name it was asked for, which is what its runs load.
      statuses.push(...(await engineStatuses(adapter)).map((s) => ({ ...s, backend })));
    } catch (error) {
      if (error instanceof UnknownBackendError) throw new UnknownBackendError(backend, known);
      if (!(error instanceof BackendUnavailableError)) throw error;
      statuses.push({ backend, engine: '*', description: '', available: false, reason: error.message });
    }
  }
  return statuses;
}

/**
 * Turns the requested items into targets. Without items: every backend of `statuses`, each engine that can run here
 * (the others are `skipped`). `name/engine`: that engine, even when it cannot run here (its `unavailable` says why).
 * A name alone: as `engines` says; when none of its engines can run, one target without an engine. A package
 * that failed to load has engine `*` in `statuses`: asked for by name it is a target, else it is skipped.
 */
export function planTargets(statuses: readonly EngineStatus[], options: PlanOptions): TargetPlan {
  const aliases = options.aliases ?? {};
  const enginesOf = (backend: string) => statuses.filter((s) => s.backend === (aliases[backend] ?? backend));
  const known = [...new Set(statuses.map((s) => s.backend)), ...Object.keys(aliases)];
  const targets: GridTarget[] = [];
  const skipped: TargetPlan['skipped'] = [];
  const add = (t: GridTarget) => {
    if (!targets.some((u) => u.label === t.label)) targets.push(t);
  };
  const skip = (backend: string, s: EngineStatus) => {
    const label = `${backend}/${s.engine}`;
    if (!skipped.some((k) => k.label === label)) skipped.push({ label, reason: s.reason ?? 'unavailable' });
  };

  const requested = options.requested;
  for (const item of requested ?? [...new Set(statuses.map((s) => s.backend))]) {
    const { backend, engine } = parseBackendChoice(item, options.what);
    if (!known.includes(backend)) throw new UnknownBackendError(backend, known);
    const engines = enginesOf(backend);
    // '*': the adapter package itself failed to load, so its engine names are unknown.
    const loadFailure = engines.find((s) => s.engine === '*');
    if (engine !== undefined) {
      const status = engines.find((s) => s.engine === engine) ?? loadFailure;
      if (!status)
        throw new UnknownEngineError(
          backend,
          engine,
          engines.map((s) => s.engine),
        );
      add(target(backend, engine, status.available ? [] : [status]));
      continue;
    }
    if (loadFailure) {
      if (requested) add(target(backend, undefined, [loadFailure]));
      else skip(backend, loadFailure);
      continue;
    }
    const available = engines.filter((s) => s.available);
    const none = available.length === 0;
    if (options.engines === 'first-available') {
      add(target(backend, available[0]?.engine, none ? engines : []));
      continue;
    }
    for (const s of engines.filter((e) => !e.available)) skip(backend, s);
    // Asked for by name with nothing available: a target anyway, so its row can say why.
    if (none && requested) add(target(backend, undefined, engines));
    for (const s of available) add(target(backend, s.engine, []));
  }
  return { targets, skipped };
}

export interface GridHooks<Cell, Result> {
  /** Aborting stops the grid between cells and inside the running one; the grid then rejects with the AbortError. */
  readonly signal?: AbortSignal;
  /** `index` counts from 1. */
  readonly onStart?: (cell: Cell, index: number, total: number) => void;
  readonly onEnd?: (cell: Cell, result: Result, index: number, total: number) => void;
}

/**
 * Runs the cells of a grid one after the other (`index` counts from 1). A cell that throws becomes
 * `failed(cell, error)` and the others still run; only an abort ends the grid early.
 */
export async function runGrid<Cell, Result>(
  cells: readonly Cell[],
  run: (cell: Cell, index: number) => Promise<Result>,
  failed: (cell: Cell, error: unknown) => Result,
  hooks: GridHooks<Cell, Result> = {},
): Promise<Result[]> {
  const results: Result[] = [];
  for (const [i, cell] of cells.entries()) {
    hooks.signal?.throwIfAborted();
    hooks.onStart?.(cell, i + 1, cells.length);
    let result: Result;
    try {
      result = await run(cell, i + 1);
    } catch (error) {
      if (isAbort(error) || hooks.signal?.aborted) throw error;
      result = failed(cell, error);
    }
    hooks.onEnd?.(cell, result, i + 1, cells.length);
    results.push(result);
  }
  hooks.signal?.throwIfAborted();
  return results;
}
