import type { BackendAdapter, EngineFactory } from '@xbackend/core';
import { describe, it } from 'vitest';
import { type EngineRequirement, requirementFromEnv } from './engine-requirement.js';

export interface EachEngineOptions {
  /** The engines to cover (default: every engine of the adapter, in its order). */
  readonly engines?: readonly string[];
  /** Which unavailable engines fail rather than skip (default: XB_REQUIRE_ENGINES). */
  readonly requirement?: EngineRequirement;
}

/** The title of the skip that stands for an engine that cannot run here; CI's summary lists these. */
function notRunHere(reason: string): string {
  return `not run here: ${reason}`;
}

function selectEngines(adapter: BackendAdapter, names: readonly string[] | undefined): EngineFactory[] {
  if (!names) return [...adapter.engines];
  return names.map((name) => {
    const engine = adapter.engines.find((e) => e.name === name);
    if (!engine)
      throw new Error(`${adapter.name} has no engine '${name}' (its engines: ${adapter.engines.map((e) => e.name).join(', ')}).`);
    return engine;
  });
}

/**
 * `describe(label, body)` for an engine that can run here. One that cannot is never dropped silently: it becomes a
 * skipped test titled "not run here: <reason>", or a failing test where XB_REQUIRE_ENGINES requires it.
 */
export function describeIfAvailable(
  backend: string,
  engine: string,
  unavailable: string | undefined,
  body: () => void,
  requirement: EngineRequirement = requirementFromEnv(),
): void {
  const label = `${backend}/${engine}`;
  if (unavailable === undefined) {
    describe(label, body);
  } else if (requirement.requires(backend, engine)) {
    describe(label, () => {
      it(`is available (required here by ${requirement.source})`, () => {
        throw new Error(`${label} must run here (${requirement.source}) but is unavailable: ${unavailable}`);
      });
    });
  } else {
    describe(label, () => {
      it.skip(notRunHere(unavailable), () => {});
    });
  }
}

/** `describe(title)` with one `describeIfAvailable('backend/engine', body)` per engine of the adapter. */
export function describeEachEngine(
  adapter: BackendAdapter,
  title: string,
  body: (engine: EngineFactory) => void,
  options: EachEngineOptions = {},
): void {
  const requirement = options.requirement ?? requirementFromEnv();
  describe(title, async () => {
    for (const engine of selectEngines(adapter, options.engines)) {
      describeIfAvailable(adapter.name, engine.name, await engine.unavailableReason(), () => body(engine), requirement);
    }
  });
}
