/**
 * tfjs's tolerances in the conformance suite (conformance.test.ts; docs/parity.md lists what each error is relative
 * to). `measured`: the worst error here over the suite's seeds and batches; `max`: 10× that, rounded down.
 * 'tensorflow' is not listed: tfjs-node cannot be installed here, so it has not been measured. Where it runs, its suite
 * fails and reports each measurement until they are stated here.
 */
import type { BackendTolerances } from '@xbackend/conformance';

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
    },
  },
};
