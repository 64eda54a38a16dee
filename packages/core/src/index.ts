export { Accumulator } from './accumulator.js';
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
export { type Batch, type BatchSource, copyBatch, type DataIter, pixelsToUnit, unitOfByteTable } from './batch.js';
export type { EpochMetrics } from './epoch-metrics.js';
export * from './errors.js';
export { type Initializer, init, type LinearSlot, normal, zeros } from './init.js';
export {
  createBackend,
  createEngine,
  type EngineStatus,
  engineStatuses,
  type ListBackendsOptions,
  type LoadBackendOptions,
  type LoadedBackend,
  listBackends,
  loadBackend,
} from './load-backend.js';
export { CrossEntropyLoss, type Loss, loss, type Reduction } from './loss.js';
export { D2L_DEFAULTS, MODEL_PRESETS, type ModelPreset, presetLayers, sequentialOf } from './models.js';
export { createNn, type Layer, type Module, type Nn, type Parameter } from './nn.js';
export * as numerics from './numerics.js';
export { type Optimizer, optim, SGD } from './optim.js';
export { type ProfilePhase, type Profiler, timed } from './profile.js';
export {
  type AdapterSource,
  type BackendRef,
  type BackendRegistry,
  createRegistry,
  DEFAULT_BACKENDS,
  defaultRegistry,
  type ParsedBackendRef,
  parseBackendRef,
  resolveAdapter,
} from './registry.js';
export { Rng } from './rng.js';
export { allocate, castParameters, type DType, type FloatArray, type ParameterTensor, sizeOf } from './tensor.js';
export {
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
export { checkBatch, checkLr, checkModelSpec, checkParameters, checkStep, checkWeightDecay, parameterShapes } from './validate.js';
