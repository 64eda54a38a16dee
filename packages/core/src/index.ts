export { Accumulator } from './accumulator.js';
export type {
  Backend,
  BackendAdapter,
  BackendOptions,
  BatchStats,
  CompiledModel,
  Conv2dSpec,
  EngineFactory,
  LayerSpec,
  ModelSpec,
  Pair,
  Pool2dSpec,
  StepHyperparameters,
} from './backend.js';
export { type Batch, type BatchSource, copyBatch, type DataIter, pixelsToUnit, unitOfByteTable } from './batch.js';
export type { EpochMetrics } from './epoch-metrics.js';
export * from './errors.js';
export { type Initializer, init, normal, type WeightSlot, xavierUniform, zeros } from './init.js';
export { describeLayer, layerShapes, outputShape, parameterShapes, weightShape } from './layer-shapes.js';
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
export {
  D2L_DEFAULTS,
  MODEL_PRESETS,
  type ModelPreset,
  PRESET_TRAINING,
  type PresetTraining,
  presetLayers,
  sequentialOf,
} from './models.js';
export { type Conv2dOptions, createNn, type Layer, type Module, type Nn, type Parameter, type Pool2dOptions } from './nn.js';
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
export { checkBatch, checkLr, checkModelSpec, checkParameters, checkStep, checkWeightDecay } from './validate.js';
