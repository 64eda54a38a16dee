// The adapter kit: the conformance suite an adapter runs from its own tests, and the helpers its unit tests share.
export type { CheckName, ParityCheck } from './check.js';
export { PARITY_CHECKS } from './checks.js';
export { type DescribeBackendOptions, describeBackend } from './describe-backend.js';
export { describeEachEngine, type EachEngineOptions } from './describe-each-engine.js';
export type { EngineRef } from './engine-ref.js';
export { type EngineRequirement, parseEngineRequirement } from './engine-requirement.js';
export { flatParameters, maxAbs, maxAbsError, maxRelativeError, relativeError, scaledError, updateError } from './measures.js';
export {
  type ReferenceForward,
  type ReferenceStep,
  referenceForward,
  referenceStep,
  referenceTrajectory,
  type TrajectoryStep,
} from './oracle.js';
export { mlpSpec, randomBatch, randomParameters, softmaxSpec } from './random.js';
export {
  type BackendTolerances,
  BROWSER_CHECK_NAMES,
  type BrowserCheckName,
  type BrowserEngineTolerances,
  type BrowserTolerances,
  type EngineTolerances,
  MAX_TOLERANCE_FACTOR,
  type Tolerance,
  toleranceProblems,
} from './tolerance.js';
