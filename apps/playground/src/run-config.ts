/** One training run as the page asks for it: the book's hyperparameters plus the backend (`name/engine`). */
export interface RunConfig {
  readonly backend: string;
  readonly batchSize: number;
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
  /** Where the four data files are served, resolved against the page (a worker cannot see the page's URL). */
  readonly dataUrl: string;
}
