export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  type CheckpointManifest,
  type CheckpointState,
  type LoadedCheckpoint,
  loadCheckpoint,
  resolveCheckpointDir,
  saveCheckpoint,
} from './checkpoint.js';
export { DEFAULT_BACKEND } from './defaults.js';
export { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './errors.js';
export type { CliIO, Output } from './io.js';
export { main } from './main.js';
export type { MetricsFile, RunStatus } from './metrics-file.js';
export {
  parseInteger,
  parseList,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parsePositiveInt,
  parsePositiveNumber,
} from './options.js';
export type { Hyperparameters, ModelDescription, RunEpoch } from './run-history.js';
export { escapeXml, fmt, niceCeil, svgDocument } from './svg.js';
