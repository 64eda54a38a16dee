import { type EngineStatus, listBackends } from '@xbackend/core';

export const ORACLE = 'reference/float64';

/**
 * Engines that install everywhere (no native build, no GPU): the suite fails, rather than skips, when one of
 * them is unavailable. headlessgl joins them when XB_REQUIRE_HEADLESSGL=1 (CI runs under Xvfb).
 */
export function requiredTargets(env: NodeJS.ProcessEnv = process.env): string[] {
  const required = ['reference/float32', 'reference/float64', 'onnxruntime/cpu', 'tfjs/wasm', 'tfjs/cpu', 'gpujs/webasm', 'gpujs/cpu'];
  if (env.XB_REQUIRE_HEADLESSGL === '1') required.push('gpujs/headlessgl');
  return required;
}

export interface Targets {
  /** `backend/engine` of every engine available here, the oracle first. */
  readonly available: string[];
  readonly unavailable: EngineStatus[];
}

/**
 * The targets to test: every installed backend and engine, or those named in XB_TARGETS (comma-separated),
 * e.g. `XB_TARGETS=tfjs/tensorflow` on a machine with tfjs-node.
 */
export async function discoverTargets(env: NodeJS.ProcessEnv = process.env): Promise<Targets> {
  const statuses = await listBackends();
  const only = env.XB_TARGETS?.split(',').map((t) => t.trim());
  const wanted = (s: EngineStatus) => !only || only.includes(`${s.backend}/${s.engine}`) || `${s.backend}/${s.engine}` === ORACLE;
  const available = statuses.filter((s) => s.available && wanted(s)).map((s) => `${s.backend}/${s.engine}`);
  available.sort((a, b) => Number(b === ORACLE) - Number(a === ORACLE));
  return { available, unavailable: statuses.filter((s) => !s.available) };
}
