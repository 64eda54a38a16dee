import type { ModelPreset } from '@xbackend/core';

/** One training run as the page asks for it: the book's model and hyperparameters plus the backend (`name/engine`). */
export interface RunConfig {
  readonly backend: string;
  readonly model: ModelPreset;
  readonly batchSize: number;
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
  /** Where the four data files are served, resolved against the page (a worker cannot see the page's URL). */
  readonly dataUrl: string;
  /** Intra-op threads for engines that have the setting (`?threads=`); undefined: the engine's own. */
  readonly threads?: number;
  /** false skips the data files' SHA-256 check (`?verify=0`, for fixtures); their IDX structure is still checked. */
  readonly verifyData?: boolean;
}
