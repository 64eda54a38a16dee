/**
 * Test helper: runs a suite once per gpu.js engine. 'webasm' and 'cpu' must always be available. 'headlessgl'
 * needs a built `gl` and an X display: without them its suites are skipped with the reason, unless
 * XB_REQUIRE_HEADLESSGL=1 (CI), where they fail instead.
 */
import { describe, it } from 'vitest';
import { engines } from './engines.js';
import type { GpuJsMode } from './gpujs-api.js';
import type { GpuJsBackend } from './gpujs-backend.js';

const OPTIONAL: readonly GpuJsMode[] = process.env.XB_REQUIRE_HEADLESSGL === '1' ? [] : ['headlessgl'];

export const modes: readonly { mode: GpuJsMode; unavailable: string | undefined }[] = await Promise.all(
  engines.map(async (engine) => ({ mode: engine.name as GpuJsMode, unavailable: await engine.unavailableReason() })),
);

export function describeEachMode(title: string, body: (mode: GpuJsMode) => void): void {
  for (const { mode, unavailable } of modes) {
    const name = `${title} [${mode}]`;
    if (!unavailable) {
      describe(name, () => body(mode));
    } else if (OPTIONAL.includes(mode)) {
      describe(name, () => it.skip(`skipped, engine unavailable: ${unavailable}`, () => {}));
    } else {
      describe(name, () =>
        it(`engine '${mode}' is available`, () => {
          throw new Error(`engine '${mode}' is required here but unavailable: ${unavailable}`);
        }),
      );
    }
  }
}

/** A backend on `mode`, created through the engine factory as core's loadBackend would. */
export async function createEngine(mode: GpuJsMode): Promise<GpuJsBackend> {
  const engine = engines.find((e) => e.name === mode);
  if (!engine) throw new Error(`test: no engine ${mode}`);
  return (await engine.create({})) as GpuJsBackend;
}
