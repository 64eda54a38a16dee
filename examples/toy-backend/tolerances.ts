import type { BackendTolerances } from '@xbackend/conformance';

const exact = { max: 0, measured: 0 };

/**
 * Measured 2026-12-01 against reference/float64: every check agrees to the last bit, since both compute in float64
 * and sum in the same order (bias first, then inputs in order; gradients example by example). So any difference is
 * a bug in one of them: the toy is an independent second implementation of the oracle's math.
 */
export const TOY_TOLERANCES: BackendTolerances = {
  float64: {
    reason: 'float64 loops summing in the same order as the reference: bit-identical',
    measuredOn: '2026-12-01, AMD EPYC, 2 cores, Node 20.20.2',
    checks: {
      initialWeights: exact,
      logits: exact,
      losses: exact,
      sgdStep: exact,
      trajectory: exact,
      epochCurve: exact,
      epochWeights: exact,
      crossEvaluation: exact,
      extremeLogits: exact,
      mlpRun: exact,
    },
  },
};
