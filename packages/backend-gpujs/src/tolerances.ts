/**
 * gpu.js's tolerances in the conformance suite (conformance.test.ts; docs/parity.md lists what each error is relative
 * to). `measured`: the worst error here over the suite's seeds and batches; `max`: 10× that, rounded down.
 */
import type { BackendTolerances, BrowserTolerances } from '@xbackend/conformance';

/** Why LeNet with saturated sigmoids (its Xavier weights × 100) is the loosest check, on every mode alike. */
const SATURATED_SIGMOID =
  'pre-activations reach the hundreds, which float32 storage rounds by up to ~3e-5 absolute (|x|·6e-8), and σ′(x) ≈ e^−|x| turns that into a relative error of the step (the float32 reference measures 8.2e-5 too)';

export const TOLERANCES: BackendTolerances = {
  headlessgl: {
    reason:
      'GLSL highp float32 on the driver (Mesa llvmpipe here), Kahan-compensated dot products and batch sums; exp and log are driver approximations of a few ulp, and every value makes a float32 texture round trip',
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: { max: 0, measured: 0 },
      logits: { max: 7e-7, measured: 7.88e-8 },
      losses: { max: 1e-6, measured: 1.76e-7 },
      sgdStep: { max: 5e-6, measured: 5.75e-7 },
      trajectory: { max: 7e-6, measured: 7.52e-7 },
      epochCurve: { max: 6e-7, measured: 6.07e-8 },
      epochWeights: { max: 4e-6, measured: 4.59e-7 },
      crossEvaluation: { max: 0, measured: 0 },
      extremeLogits: { max: 1e-7, measured: 1.39e-8 },
      mlpRun: { max: 1e-4, measured: 1.1e-5 },
      lenetLogits: { max: 1.7e-6, measured: 1.71e-7 },
      lenetStep: { max: 2.2e-6, measured: 2.3e-7 },
      lenetRun: { max: 2.2e-5, measured: 2.21e-6 },
      oddWindows: { max: 2.9e-5, measured: 2.93e-6 },
      saturatedSigmoid: { max: 8.6e-4, measured: 8.69e-5, reason: SATURATED_SIGMOID },
    },
  },
  webasm: {
    reason: 'IEEE float32 WebAssembly arithmetic with Kahan-compensated dot products and batch sums; every stored value rounds to float32',
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: { max: 0, measured: 0 },
      logits: { max: 7e-7, measured: 7.88e-8 },
      losses: { max: 1e-6, measured: 1.42e-7 },
      sgdStep: { max: 5e-6, measured: 5.75e-7 },
      trajectory: { max: 7e-6, measured: 7.52e-7 },
      epochCurve: { max: 4e-7, measured: 4.22e-8 },
      epochWeights: { max: 4e-6, measured: 4.59e-7 },
      crossEvaluation: { max: 0, measured: 0 },
      extremeLogits: { max: 1e-7, measured: 1.39e-8 },
      mlpRun: { max: 1e-4, measured: 1.1e-5 },
      lenetLogits: { max: 1.3e-6, measured: 1.32e-7 },
      lenetStep: { max: 1.8e-6, measured: 1.87e-7 },
      lenetRun: { max: 2.4e-5, measured: 2.45e-6 },
      oddWindows: { max: 2.9e-5, measured: 2.93e-6 },
      saturatedSigmoid: { max: 8.1e-4, measured: 8.17e-5, reason: SATURATED_SIGMOID },
    },
  },
  cpu: {
    reason: "kernels compiled to JavaScript: float64 inside a kernel, each kernel's output rounded to float32",
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: { max: 0, measured: 0 },
      logits: { max: 6e-7, measured: 6.5e-8 },
      losses: { max: 5e-7, measured: 5.1e-8 },
      sgdStep: { max: 5e-6, measured: 5.72e-7 },
      trajectory: { max: 7e-6, measured: 7.52e-7 },
      epochCurve: { max: 4e-7, measured: 4.22e-8 },
      epochWeights: { max: 4e-6, measured: 4.59e-7 },
      crossEvaluation: { max: 0, measured: 0 },
      extremeLogits: { max: 1e-7, measured: 1.39e-8 },
      mlpRun: { max: 1e-4, measured: 1.1e-5 },
      lenetLogits: { max: 8.7e-7, measured: 8.71e-8 },
      lenetStep: { max: 1.9e-6, measured: 1.91e-7 },
      lenetRun: { max: 2.2e-5, measured: 2.21e-6 },
      oddWindows: { max: 2.9e-5, measured: 2.93e-6 },
      saturatedSigmoid: { max: 8.1e-4, measured: 8.17e-5, reason: SATURATED_SIGMOID },
    },
  },
};

/** Where and when the browser engines' errors below were measured. */
const BROWSER_MEASURED_ON =
  '2026-12-01 (lenetSteps: 2026-12-02), Chromium 156 headless shell (SwiftShader WebGL 2), 2-core AMD EPYC, Node 20.20.2';

/**
 * gpu.js's browser modes in a browser, in the playground page against the float64 reference's run of the same seed in Node
 * (apps/playground/test/playground.test.ts reads this table): one epoch of the book's settings (seed 0), and
 * `lenetSteps`: LeNet's first 3 steps (batch 64, lr 0.9, seed 0). `measured`: that run's error; `max`: at most 10× it.
 */
export const BROWSER_TOLERANCES: BrowserTolerances = {
  webgl2: {
    reason: 'GLSL float32 shaders on SwiftShader, Kahan-compensated dot products and batch sums',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 6e-7, measured: 6.066e-8 },
      epochWeights: { max: 4.5e-6, measured: 4.587e-7 },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: { max: 3.2e-8, measured: 3.268e-9 },
    },
  },
  webgl: {
    reason: 'GLSL ES 1.0 float32 shaders on SwiftShader (OES_texture_float), Kahan-compensated sums',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 6e-7, measured: 6.066e-8 },
      epochWeights: { max: 4.5e-6, measured: 4.587e-7 },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: { max: 3.2e-8, measured: 3.268e-9 },
    },
  },
};
