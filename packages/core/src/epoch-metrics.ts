/** One finished epoch of d2l's `train_ch3`. */
export interface EpochMetrics {
  /** 1-based, as the book prints it. */
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  readonly seconds: number;
}
