/**
 * reference/float32's tolerances in the conformance suite (reference.conformance.test.ts; the mutation tests hold
 * their broken variants of it to the same). `measured`: the worst error here over the suite's seeds and batches;
 * `max`: 10× that, rounded down. reference/float64 is the oracle and has none: it is never compared with itself.
 */
import type { BackendTolerances, BrowserTolerances } from './tolerance.js';

export const REFERENCE_TOLERANCES: BackendTolerances = {
  float32: {
    reason: 'Float32Array storage with float64 accumulation: each stored weight, activation and update is rounded once to float32',
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: { max: 0, measured: 0 },
      logits: { max: 6e-7, measured: 6.5e-8 },
      losses: { max: 5e-7, measured: 5.1e-8 },
      sgdStep: { max: 5e-6, measured: 5.72e-7 },
      trajectory: { max: 7e-6, measured: 7.52e-7 },
      epochCurve: { max: 3e-8, measured: 3.3e-9 },
      epochWeights: { max: 4e-6, measured: 4.59e-7 },
      crossEvaluation: { max: 0, measured: 0 },
      extremeLogits: { max: 1e-7, measured: 1.39e-8 },
      mlpRun: { max: 1e-4, measured: 1.1e-5 },
      lenetLogits: { max: 8e-7, measured: 8.41e-8 },
      lenetStep: { max: 5e-6, measured: 5.17e-7 },
      lenetRun: { max: 2.4e-5, measured: 2.49e-6 },
      oddWindows: { max: 2.9e-5, measured: 2.92e-6 },
      saturatedSigmoid: {
        max: 8e-4,
        measured: 8.17e-5,
        reason:
          'pre-activations reach the hundreds, where float32 storage rounds them by up to ~3e-5 absolute (|x|·6e-8), and σ′(x) ≈ e^−|x| carries that absolute error as a relative one into the step',
      },
    },
  },
};

/** Where and when the browser engines' errors below were measured. */
const BROWSER_MEASURED_ON =
  '2026-12-01 (lenetSteps: 2026-12-02), Chromium 156 headless shell (SwiftShader WebGL 2), 2-core AMD EPYC, Node 20.20.2';

/**
 * The reference backend's engines in a browser, in the playground page against the float64 reference's run of the same seed in Node
 * (apps/playground/test/playground.test.ts reads this table): one epoch of the book's settings (seed 0), and
 * `lenetSteps`: LeNet's first 3 steps (batch 64, lr 0.9, seed 0). `measured`: that run's error; `max`: at most 10× it.
 */
export const REFERENCE_BROWSER_TOLERANCES: BrowserTolerances = {
  float64: {
    reason: 'the same JavaScript float64 arithmetic as the Node oracle, run by V8 in the page',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 0, measured: 0 },
      epochWeights: { max: 2.9e-15, measured: 2.917e-16 },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: { max: 0, measured: 0 },
    },
  },
  float32: {
    reason: 'float32 storage of weights and activations, float64 accumulation (as in Node)',
    measuredOn: BROWSER_MEASURED_ON,
    checks: {
      epochCurve: { max: 3.3e-8, measured: 3.304e-9 },
      epochWeights: { max: 4.5e-6, measured: 4.587e-7 },
      testAcc: { max: 0, measured: 0 },
      lenetSteps: { max: 2.9e-8, measured: 2.909e-9 },
    },
  },
};
