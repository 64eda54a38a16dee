/**
 * Test helpers: run a suite once per gpu.js engine (through @xbackend/conformance, so an engine that cannot run
 * here is an explicit skip with its reason, or a failure where XB_REQUIRE_ENGINES requires it), and the kernels'
 * own error bounds.
 */
import { describeEachEngine } from '@xbackend/conformance';
import { adapter } from './adapter.js';
import { engines } from './engines.js';
import type { GpuJsMode } from './gpujs-api.js';
import type { GpuJsBackend } from './gpujs-backend.js';

export const modes: readonly { mode: GpuJsMode; unavailable: string | undefined }[] = await Promise.all(
  engines.map(async (engine) => ({ mode: engine.name as GpuJsMode, unavailable: await engine.unavailableReason() })),
);

export function describeEachMode(title: string, body: (mode: GpuJsMode) => void): void {
  describeEachEngine(adapter, title, (engine) => body(engine.name as GpuJsMode));
}

/** A backend on `mode`, created through the engine factory as core's loadBackend would. */
export async function createEngine(mode: GpuJsMode): Promise<GpuJsBackend> {
  const engine = engines.find((e) => e.name === mode);
  if (!engine) throw new Error(`test: no engine ${mode}`);
  return (await engine.create({})) as GpuJsBackend;
}

/** float32 machine epsilon (one ulp of 1). */
const FLOAT32_EPSILON = 2 ** -23;

/**
 * The kernels' error against a float64 computation, in float32 ulps of the value's natural scale (the magnitude of a
 * stored parameter, the largest logit of a batch, or Σ|terms| of a compensated sum), per engine:
 * - headlessgl: GLSL highp float32 on the driver (Mesa llvmpipe here). Dot products and batch sums are
 *   Kahan-compensated (kept alive by a runtime factor of one, since the GLSL compiler folds plain compensation away),
 *   but exp/log are driver approximations of a few ulp and multiply-adds may be fused.
 * - webasm: IEEE float32 WebAssembly arithmetic with Kahan-compensated dot products and batch sums (about 1 ulp of
 *   Σ|terms| for 784 terms); every stored value rounds once more to float32.
 * - cpu: gpu.js compiles cpu kernels to JavaScript, which computes in float64 inside a kernel and rounds each kernel's
 *   output to float32: the error is float32 storage rounding between kernels.
 */
export const KERNEL_ULPS: Readonly<Record<GpuJsMode, number>> = { headlessgl: 4, webasm: 2, cpu: 2 };

/** `KERNEL_ULPS[mode]` as a relative error. */
export function kernelTolerance(mode: GpuJsMode): number {
  return KERNEL_ULPS[mode] * FLOAT32_EPSILON;
}
