/**
 * The backend used when `--backend` is not given: the fastest one that installs everywhere without a native build
 * (onnxruntime-node ships its binaries in the npm package; see apps/bench for the measurements).
 */
export const DEFAULT_BACKEND = 'onnxruntime';

/** d2l §3.7's settings: batch size 256, lr 0.1, 10 epochs, weights from N(0, 0.01). */
export const DEFAULT_BATCH_SIZE = 256;
export const DEFAULT_LR = 0.1;
export const DEFAULT_EPOCHS = 10;
export const DEFAULT_SEED = 0;
export const DEFAULT_INIT_STD = 0.01;
/** Early stopping waits this many epochs without a better validation accuracy. */
export const DEFAULT_PATIENCE = 3;
/** `predict` shows this many test images, as d2l's `predict_ch3` does. */
export const DEFAULT_PREDICT_COUNT = 6;
