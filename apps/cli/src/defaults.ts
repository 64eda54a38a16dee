/**
 * The backend used when `--backend` is not given: the fastest one that installs everywhere without a native build
 * (onnxruntime-node ships its binaries in the npm package; see apps/bench for the measurements). The d2l settings
 * (batch size, lr, epochs, init std, seed) are core's `D2L_DEFAULTS`.
 */
export const DEFAULT_BACKEND = 'onnxruntime';

/** Early stopping waits this many epochs without a better validation accuracy. */
export const DEFAULT_PATIENCE = 3;
/** `predict` shows this many test images, as d2l's `predict_ch3` does. */
export const DEFAULT_PREDICT_COUNT = 6;
