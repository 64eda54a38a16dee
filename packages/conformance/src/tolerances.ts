/**
 * How closely each backend/engine must match the float64 reference, and why. The one place these numbers live.
 * All comparisons are against reference/float64 started from the same float32-exact weights on the same batches.
 */
export interface Tolerance {
  /** |logit − oracle| on a fixed batch (logits are O(1)). */
  readonly logitsAbs: number;
  /** |loss − oracle| / oracle for per-example losses on a fixed batch. */
  readonly lossRel: number;
  /** |w − oracle| after one SGD step (weights are O(0.01), one update O(1e-3)). */
  readonly stepWeightsAbs: number;
  /** Relative difference of the running train loss after each batch of one epoch. */
  readonly epochLossRel: number;
  /** |test acc − oracle test acc| after the 10 epochs of the book. */
  readonly finalTestAcc: number;
  readonly reason: string;
}

/**
 * float32 storage with float64 accumulation (reference/float32): one rounding per stored value, so logits and
 * losses agree to ~1e-7 relative; over an epoch the rounding of the weights after each of 235 updates compounds
 * to ~1e-6. After 10 epochs trajectories are still close, but a few of 10000 test predictions near a decision
 * boundary can flip: 0.002 is 20 test images.
 */
const float32Host: Tolerance = {
  logitsAbs: 1e-5,
  lossRel: 1e-5,
  stepWeightsAbs: 1e-6,
  epochLossRel: 1e-4,
  finalTestAcc: 0.002,
  reason: 'float32 storage, float64 accumulation on the host',
};

/**
 * float32 accumulation in the framework (ORT MLAS, XNNPACK, tfjs cpu): 784-term dot products in float32 carry
 * ~sqrt(784)·6e-8 ≈ 2e-6 relative error, and summation order differs from the reference.
 */
const float32Framework: Tolerance = {
  logitsAbs: 5e-5,
  lossRel: 5e-5,
  stepWeightsAbs: 5e-6,
  epochLossRel: 1e-4,
  finalTestAcc: 0.003,
  reason: 'float32 accumulation inside the framework (blocked GEMMs, different summation order)',
};

/**
 * gpu.js 'webasm' and 'cpu': float32 between kernels with compensated (Kahan) sums inside them, so they sit at the
 * framework level even though every intermediate is stored in float32.
 */
const float32Compensated: Tolerance = { ...float32Framework, reason: 'float32 kernels with compensated summation (gpu.js)' };

/**
 * gpu.js 'headlessgl' (and CUDA): float32 everywhere; GLSL exp/log (llvmpipe or a real GPU) are accurate to a few
 * ulp, not correctly rounded, the driver may fuse multiply-adds, and texture round trips add one rounding per value.
 */
const float32Gpu: Tolerance = {
  logitsAbs: 1e-4,
  lossRel: 1e-4,
  stepWeightsAbs: 1e-5,
  epochLossRel: 3e-4,
  finalTestAcc: 0.004,
  reason: 'float32 kernels; GLSL transcendental functions are not correctly rounded',
};

const oracle: Tolerance = {
  logitsAbs: 0,
  lossRel: 0,
  stepWeightsAbs: 0,
  epochLossRel: 0,
  finalTestAcc: 0,
  reason: 'the oracle itself',
};

export const TOLERANCES: Readonly<Record<string, Tolerance>> = {
  'reference/float64': oracle,
  'reference/float32': float32Host,
  'onnxruntime/cpu': float32Framework,
  'onnxruntime/cuda': float32Gpu,
  'tfjs/tensorflow': float32Framework,
  'tfjs/wasm': float32Framework,
  'tfjs/cpu': float32Framework,
  'gpujs/headlessgl': float32Gpu,
  'gpujs/webasm': float32Compensated,
  'gpujs/cpu': float32Compensated,
};

export function toleranceFor(target: string): Tolerance {
  const tolerance = TOLERANCES[target];
  if (!tolerance) throw new Error(`No tolerance is stated for ${target}: add it to packages/conformance/src/tolerances.ts.`);
  return tolerance;
}
