/**
 * tfjs's tolerances in the conformance suite (conformance.test.ts; docs/parity.md lists what each error is relative
 * to). `measured`: the worst error here over the suite's seeds and batches; `max`: 10× that, rounded down.
 * 'tensorflow' is not listed: tfjs-node cannot be installed here, so it has not been measured. Where it runs, its suite
 * fails and reports each measurement until they are stated here.
 */
import type { BackendTolerances, BrowserTolerances } from '@xbackend/conformance';

/** Why LeNet with saturated sigmoids (its Xavier weights × 100) is the loosest check on every float32 engine. */
const SATURATED_SIGMOID =
  'pre-activations reach the hundreds, where float32 rounds them by up to ~3e-5 absolute (|x|·6e-8), and σ′(x) = σ(x)·(1 − σ(x)) ≈ e^−|x| carries that absolute error as a relative one into the step (reference/float32 measures 8.2e-5 too)';

export const TOLERANCES: BackendTolerances = {
  wasm: {
    reason:
      'XNNPACK float32 kernels in WebAssembly (SIMD): dot products accumulate in float32, in blocks, so logits carry about 1e-6 of the largest logit',
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: { max: 0, measured: 0 },
      logits: { max: 1e-5, measured: 1.1e-6 },
      losses: { max: 5e-6, measured: 5.53e-7 },
      sgdStep: { max: 5e-6, measured: 5.75e-7 },
      trajectory: { max: 7e-6, measured: 7.52e-7 },
      epochCurve: { max: 2e-6, measured: 2.66e-7 },
      epochWeights: { max: 4e-6, measured: 4.59e-7 },
      crossEvaluation: { max: 0, measured: 0 },
      extremeLogits: { max: 1e-7, measured: 1.39e-8 },
      mlpRun: { max: 3e-6, measured: 3.69e-7 },
      lenetLogits: { max: 6e-6, measured: 6.27e-7 },
      lenetStep: { max: 4e-6, measured: 4.08e-7 },
      lenetRun: { max: 2e-5, measured: 2.06e-6 },
      oddWindows: { max: 3e-5, measured: 3.05e-6 },
      saturatedSigmoid: { max: 8e-4, measured: 8.25e-5, reason: SATURATED_SIGMOID },
    },
  },
  cpu: {
    reason: 'tfjs-backend-cpu: JavaScript kernels that sum in float64 and store every result in a Float32Array',
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: { max: 0, measured: 0 },
      logits: { max: 1e-6, measured: 1.52e-7 },
      losses: { max: 1e-6, measured: 1.13e-7 },
      sgdStep: { max: 5e-6, measured: 5.75e-7 },
      trajectory: { max: 7e-6, measured: 7.52e-7 },
      epochCurve: { max: 4e-7, measured: 4.22e-8 },
      epochWeights: { max: 5e-6, measured: 5.63e-7 },
      crossEvaluation: { max: 0, measured: 0 },
      extremeLogits: { max: 1e-7, measured: 1.39e-8 },
      mlpRun: { max: 1e-4, measured: 1.1e-5 },
      lenetLogits: { max: 1.1e-6, measured: 1.14e-7 },
      lenetStep: { max: 1.8e-6, measured: 1.86e-7 },
      lenetRun: { max: 2.2e-5, measured: 2.21e-6 },
      oddWindows: { max: 7e-5, measured: 7.19e-6 },
      saturatedSigmoid: { max: 8.6e-4, measured: 8.69e-5, reason: SATURATED_SIGMOID },
    },
  },
};

/** Where and when the browser engines' errors below were measured. */
const BROWSER_MEASURED_ON =
  '2026-12-01 (lenetSteps: 2026-12-02), Chromium 156 headless shell (SwiftShader WebGL 2), 2-core AMD EPYC, Node 20.20.2';

/**
 * tfjs's engines in a browser, in the playground page against the float64 reference's run of the same seed in Node
 * (apps/playground/test/playground.test.ts reads this table): one epoch of the book's settings (seed 0), and
 * `lenetSteps`: LeNet's first 3 steps (batch 64, lr 0.9, seed 0). `measured`: that run's error; `max`: at most 10× it.
 */
export const BROWSER_TOLERANCES: BrowserTolerances = {
  wasm: {
    reason: 'XNNPACK float32 kernels in threaded SIMD WebAssembly: another summation order than the reference',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 2.6e-6, measured: 2.665e-7 },
      epochWeights: {
        max: 5.6e-6,
        measured: 5.631e-7,
        reason: 'runs differ here (4.6e-7 or 5.6e-7): the wasm backend does not always round the weights the same way',
      },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: {
        max: 9.8e-7,
        measured: 9.816e-8,
        reason: "its first step's loss is one float32 ulp above the reference's rounded to float32 (2.4697993 for 2.4697990)",
      },
    },
  },
  cpu: {
    reason: 'JavaScript kernels that round every op to float32',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 4.2e-7, measured: 4.224e-8 },
      epochWeights: { max: 5.6e-6, measured: 5.631e-7 },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: { max: 3.2e-8, measured: 3.268e-9 },
    },
  },
  webgl: {
    reason: 'GLSL float32 shaders on SwiftShader: exp/log approximations of a few ulp, float32 texture storage',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 6e-7, measured: 6.066e-8 },
      epochWeights: { max: 5.6e-6, measured: 5.631e-7 },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: { max: 3e-7, measured: 3.021e-8 },
    },
  },
};
