export { Accumulator } from './accumulator.js';
export { writeFileAtomic } from './atomic-write.js';
export type {
  Backend,
  BackendAdapter,
  BackendOptions,
  BatchStats,
  CompiledModel,
  EngineFactory,
  LayerSpec,
  ModelSpec,
  StepHyperparameters,
} from './backend.js';
export type { Batch, DataIter } from './batch.js';
export * from './errors.js';
export { type Initializer, init, type LinearSlot, normal, zeros } from './init.js';
export {
  BACKEND_PACKAGES,
  type BackendName,
  createBackend,
  createEngine,
  type EngineStatus,
  importAdapter,
  type LoadBackendOptions,
  type LoadedBackend,
  listBackends,
  loadBackend,
  parseBackendName,
} from './load-backend.js';
export { CrossEntropyLoss, type Loss, loss, type Reduction } from './loss.js';
export { createNn, type Layer, type Module, type Nn, type Parameter, parameterShapes, validateModel } from './nn.js';
export * as numerics from './numerics.js';
export { checkLr, checkWeightDecay, type Optimizer, optim, SGD } from './optim.js';
export { Rng } from './rng.js';
export { allocate, castParameters, type DType, type FloatArray, type ParameterTensor, sizeOf } from './tensor.js';
export {
  type EpochMetrics,
  evaluateAccuracy,
  formatEpoch,
  type SanityCheck,
  sanityChecks,
  type TrainEvent,
  type TrainOptions,
  type TrainResult,
  trainCh3,
  trainEpochCh3,
} from './train.js';
