import type { EpochMetrics } from './epoch-metrics.js';

/** Base class of every error xbackend throws on purpose; `code` is stable for programs, `message` is for people. */
export class XBackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface EngineAttempt {
  readonly backend: string;
  readonly engine: string;
  readonly reason: string;
}

/** No engine of the requested backend could be used; lists every engine tried and why it failed. */
export class BackendUnavailableError extends XBackendError {
  constructor(
    readonly backend: string,
    readonly attempts: readonly EngineAttempt[],
    hint?: string,
  ) {
    const lines = attempts.map((a) => `  - ${a.backend}/${a.engine}: ${a.reason}`);
    super('BACKEND_UNAVAILABLE', `Backend '${backend}' is not available. Tried:\n${lines.join('\n')}${hint ? `\n${hint}` : ''}`);
  }
}

export class UnknownBackendError extends XBackendError {
  constructor(
    readonly backend: string,
    readonly known: readonly string[],
    detail?: string,
  ) {
    super(
      'UNKNOWN_BACKEND',
      `Unknown backend '${backend}'. Known backends: ${known.join(', ')}.${detail ? ` ${detail}` : ''} ` +
        'A backend in its own package is named by its package name.',
    );
  }
}

export class UnknownEngineError extends XBackendError {
  constructor(backend: string, engine: string, known: readonly string[]) {
    super('UNKNOWN_ENGINE', `Backend '${backend}' has no engine '${engine}'. Its engines: ${known.join(', ')}.`);
  }
}

export class InvalidArgumentError extends XBackendError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The model uses a layer this backend cannot express. */
export class UnsupportedLayerError extends XBackendError {
  constructor(backend: string, layer: string, detail?: string) {
    super('UNSUPPORTED_LAYER', `Backend '${backend}' cannot run layer ${layer}${detail ? `: ${detail}` : ''}.`);
  }
}

/** The loss became NaN or infinite; training stopped at that step. */
export class DivergenceError extends XBackendError {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly lr: number,
    readonly lossValue: number,
  ) {
    super(
      'DIVERGED',
      `Training diverged: the loss is ${lossValue} at epoch ${epoch + 1}, step ${step + 1} (lr ${lr}). ` +
        `Try a smaller learning rate (e.g. --lr ${lr / 10}) or a smaller init std; no weights were saved from this step.`,
    );
  }
}

/** d2l's end-of-training sanity checks failed; the metrics of the finished training are kept on the error. */
export class SanityCheckError extends XBackendError {
  constructor(
    readonly failures: readonly string[],
    readonly history: readonly EpochMetrics[] = [],
  ) {
    super('SANITY_CHECK_FAILED', `Training finished but d2l's sanity checks failed:\n  - ${failures.join('\n  - ')}`);
  }
}
