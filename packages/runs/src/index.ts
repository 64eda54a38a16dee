export {
  assertFinite,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  type CheckpointManifest,
  type CheckpointState,
  type LoadedCheckpoint,
  loadCheckpoint,
  resolveCheckpointDir,
  runFolderOfCheckpoint,
  saveCheckpoint,
  type TensorEntry,
  type TensorRole,
} from './checkpoint.js';
export { type CurvesOptions, curvesSvg } from './curves-svg.js';
export {
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_TERMINATED,
  EXIT_USAGE,
  exitCodeOfSignal,
  Interrupted,
  isAbort,
  isUsageError,
  type StopSignal,
  stopSignalOf,
  UsageError,
} from './errors.js';
export {
  absoluteBackendItem,
  addDataOptions,
  addThreadOptions,
  type DataFlags,
  parseBackendChoice,
  parseInteger,
  parseList,
  parseName,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parseOpenFraction,
  parsePositiveInt,
  parsePositiveNumber,
  type ThreadFlags,
  threadOptions,
} from './flags.js';
export {
  type GridHooks,
  type GridTarget,
  gridStatuses,
  type PlanOptions,
  planTargets,
  runGrid,
  type StatusOptions,
  type TargetPlan,
} from './grid.js';
export { type AppIO, type Console, createConsole, displayPath, type Output } from './io.js';
export { CURVES_FILE, METRICS_FILE, type MetricsFile, type RunStatus, writeRunFiles } from './metrics-file.js';
export { createProgram, type ExitMessages, runBin, runProgram } from './program.js';
export { type ProgressBar, progressBar } from './progress.js';
export { RunFilesWriter } from './run-files-writer.js';
export { createRunFolder, timestamp } from './run-folder.js';
export type { EarlyStoppingState, Hyperparameters, RunEpoch, RunIdentity } from './run-history.js';
export { color, escapeXml, fmt, logRange, logTicks, niceCeil, niceTicks, svgDocument } from './svg.js';
export {
  currentHyperparameters,
  describeInit,
  initializerOf,
  presetInit,
  type StoredHyperparameters,
  type WeightInit,
} from './weight-init.js';
