import type { ParityCheck } from './check.js';
import { crossEvaluationCheck, epochCurveCheck, epochWeightsCheck } from './epoch-checks.js';
import { extremeLogitsCheck } from './extreme-logits.js';
import { initialWeightsCheck, logitsCheck, lossesCheck } from './forward-checks.js';
import { lenetLogitsCheck, lenetRunCheck, lenetStepCheck, oddWindowsCheck, saturatedSigmoidCheck } from './lenet-checks.js';
import { mlpRunCheck, sgdStepCheck, trajectoryCheck } from './step-checks.js';

/** Every parity check, in the order the suite runs them; each engine's tolerance table has one entry per check. */
export const PARITY_CHECKS: readonly ParityCheck[] = [
  initialWeightsCheck,
  logitsCheck,
  lossesCheck,
  sgdStepCheck,
  trajectoryCheck,
  epochCurveCheck,
  epochWeightsCheck,
  crossEvaluationCheck,
  extremeLogitsCheck,
  mlpRunCheck,
  lenetLogitsCheck,
  lenetStepCheck,
  lenetRunCheck,
  oddWindowsCheck,
  saturatedSigmoidCheck,
];
