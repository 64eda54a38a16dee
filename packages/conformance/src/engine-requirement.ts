/**
 * Which engines must run here. Unset (a developer's machine), an unavailable engine is an explicit skip that says
 * why; CI sets XB_REQUIRE_ENGINES so that an engine it expects fails instead of disappearing from the results.
 *
 * XB_REQUIRE_ENGINES is a comma-separated list: `all` (every engine), `backend` (all of its engines) or
 * `backend/engine`, and `!backend/engine` or `!backend` to exempt one, e.g. `all,!tfjs/tensorflow,!onnxruntime/cuda`.
 */
import { InvalidArgumentError } from '@xbackend/core';

export interface EngineRequirement {
  /** Whether `backend/engine` must be available here. */
  requires(backend: string, engine: string): boolean;
  /** The setting, for messages. */
  readonly source: string;
}

export function parseEngineRequirement(value: string | undefined): EngineRequirement {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const entry of entries) {
    if (!/^!?(all|[@\w.-]+(\/[\w.-]+)*)$/.test(entry)) {
      throw new InvalidArgumentError(
        `XB_REQUIRE_ENGINES entry '${entry}' is not 'all', 'backend', 'backend/engine' or one of those with a leading '!'.`,
      );
    }
  }
  const exempt = entries.filter((e) => e.startsWith('!')).map((e) => e.slice(1));
  const wanted = entries.filter((e) => !e.startsWith('!'));
  const matches = (list: readonly string[], backend: string, engine: string) =>
    list.some((e) => e === 'all' || e === backend || e === `${backend}/${engine}`);
  return {
    source: `XB_REQUIRE_ENGINES=${value ?? ''}`,
    requires: (backend, engine) => matches(wanted, backend, engine) && !matches(exempt, backend, engine),
  };
}

export function requirementFromEnv(env: NodeJS.ProcessEnv = process.env): EngineRequirement {
  return parseEngineRequirement(env.XB_REQUIRE_ENGINES);
}
