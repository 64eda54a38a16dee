/**
 * How a program drives the playground page unattended (the bench's browser rows): what it puts in the page's URL, and
 * what the page tells it through the function the program exposes to the page as `window.xbackendHarness` before the
 * page loads (playwright's `page.exposeFunction`). Browser-safe: the page imports these types, the drivers the rest.
 */
import type { EngineStatus, ModelPreset } from '@xbackend/core';

/** The name of the function a driver exposes to the page; a page without it (a person's browser) reports to no one. */
export const HARNESS_BINDING = 'xbackendHarness';

/** One unattended run as a driver asks for it in the page's URL. */
export interface UnattendedRun {
  /** `name/engine`, as the page lists its engines. */
  readonly backend: string;
  /** The book's model the page trains (default: softmax, §3.7). */
  readonly model?: ModelPreset;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Epochs run before the measured ones, reported with `warmup: true`. */
  readonly warmupEpochs: number;
  /** Measured epochs. */
  readonly epochs: number;
  /** Intra-op threads for engines that have the setting; undefined: the engine's own. */
  readonly threads?: number;
  /** false: the page skips the data files' SHA-256 check (fixtures); their IDX structure is still checked. */
  readonly verifyData?: boolean;
}

/**
 * The query string of an unattended run: `?autostart=1&backend=tfjs/wasm&batchSize=256&lr=0.1&seed=0&warmup=1&epochs=3`
 * (plus `model=lenet`, `threads=n` and `verify=0` when asked for). The page starts training as soon as it has listed its
 * engines.
 */
export function unattendedQuery(run: UnattendedRun): string {
  const params = new URLSearchParams({
    autostart: '1',
    backend: run.backend,
    batchSize: String(run.batchSize),
    lr: String(run.lr),
    seed: String(run.seed),
    warmup: String(run.warmupEpochs),
    epochs: String(run.epochs),
  });
  if (run.model !== undefined) params.set('model', run.model);
  if (run.threads !== undefined) params.set('threads', String(run.threads));
  if (run.verifyData === false) params.set('verify', '0');
  return `?${params}`;
}

/** The browser a page runs in, as the page sees it. */
export interface PageBrowser {
  readonly userAgent: string;
  /** `navigator.hardwareConcurrency`: the logical cores the browser offers the page. */
  readonly hardwareConcurrency: number;
  /** COOP/COEP in effect: SharedArrayBuffer, so WebAssembly threads. */
  readonly crossOriginIsolated: boolean;
}

/**
 * One measured epoch as the bench records it, warm-up included, whoever ran it (a child process or the page).
 * Times in milliseconds.
 */
export interface MeasuredEpoch {
  readonly warmup: boolean;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  /** The training pass over the data (core's trainEpochCh3, or a baseline's own loop). */
  readonly trainMs: number;
  /** One full test-set evaluation after the epoch. */
  readonly evalMs: number;
}

/** One finished epoch of an unattended run, timed with `performance.now()` in the page's training worker. */
export interface HarnessEpoch extends MeasuredEpoch {
  /** 1-based over warm-up and measured epochs. */
  readonly epoch: number;
  /** Every train step of the epoch (forward, loss, backward, update and the two scalars back), in order. */
  readonly stepMs: readonly number[];
}

/** What the page tells its driver. */
export type HarnessMessage =
  /** Once the page has listed its engines (ready for a person too). */
  | { readonly type: 'engines'; readonly statuses: readonly EngineStatus[]; readonly browser: PageBrowser }
  /** An unattended run loaded its backend: the engine as it reports itself, and how long `loadBackend` took. */
  | {
      readonly type: 'started';
      readonly backend: string;
      readonly engine: string;
      readonly dtype: string;
      readonly details: Readonly<Record<string, string | number | boolean>>;
      readonly loadMs: number;
    }
  /**
   * Progress, a few times a second and at the end of every epoch, with the running train loss (d2l's per-example
   * average over the epoch so far) after each step since the previous message: a driver sees every step's.
   */
  | {
      readonly type: 'batch';
      readonly epoch: number;
      readonly batch: number;
      readonly numBatches: number;
      readonly trainLosses: readonly number[];
    }
  | { readonly type: 'epoch'; readonly record: HarnessEpoch }
  | { readonly type: 'done' }
  /** The run cannot start (`UNKNOWN_ENGINE`, `UNAVAILABLE`, `SETTINGS`) or failed (the error's code, e.g. `DATASET`). */
  | { readonly type: 'error'; readonly code: string; readonly message: string };
