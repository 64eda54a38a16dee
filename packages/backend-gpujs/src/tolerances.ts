import type { GpuJsMode } from './gpujs-api.js';

/** float32 machine epsilon (one ulp of 1). */
export const FLOAT32_EPSILON = 2 ** -23;

export interface GpuJsTolerance {
  /**
   * Largest error against a float64 computation, in float32 ulps of the value's natural scale: the magnitude of a
   * stored parameter, the largest logit of a batch, or Σ|terms| of a compensated sum.
   */
  readonly ulps: number;
  readonly reason: string;
}

/** Per engine, with the reason; parity tests and the conformance suite compare against these. */
export const GPUJS_TOLERANCES: Readonly<Record<GpuJsMode, GpuJsTolerance>> = {
  headlessgl: {
    ulps: 4,
    reason:
      'GLSL highp float32 on the driver (Mesa llvmpipe here). Dot products and batch sums are Kahan-compensated (kept alive by a runtime factor of one, since the GLSL compiler folds plain compensation away), but exp/log are driver approximations of a few ulp and multiply-adds may be fused.',
  },
  webasm: {
    ulps: 2,
    reason:
      'IEEE float32 WebAssembly arithmetic with Kahan-compensated dot products and batch sums (about 1 ulp of Σ|terms| for 784 terms); every stored value rounds once more to float32.',
  },
  cpu: {
    ulps: 2,
    reason:
      "gpu.js compiles cpu kernels to JavaScript, which computes in float64 inside a kernel and rounds each kernel's output to float32: the error is float32 storage rounding between kernels.",
  },
};
