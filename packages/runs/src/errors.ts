import { InvalidArgumentError, UnknownBackendError, UnknownEngineError, XBackendError } from '@xbackend/core';
import { CommanderError } from 'commander';

/**
 * Exit codes of the xbackend commands: 0 success, 1 the work failed (divergence, missing data, unavailable backend,
 * a failed bench run), 2 bad command line, 130 interrupted (SIGINT, Ctrl-C), 143 terminated (SIGTERM).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report an interrupted command. */
export const EXIT_INTERRUPTED = 130;
/** 128 + SIGTERM, as shells report a terminated command. */
export const EXIT_TERMINATED = 143;

/** The signals that stop work cleanly (`runBin` listens for both). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * The reason `runBin` aborts the work with: which signal arrived. Named `AbortError` like the DOM's own, so
 * `isAbort` (and `signal.throwIfAborted()`, which throws the reason) treat both alike.
 */
export class Interrupted extends Error {
  override readonly name = 'AbortError';
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }
}

/** 130 for SIGINT (and an abort without a signal, e.g. a program's own AbortController), 143 for SIGTERM. */
export function exitCodeOfSignal(signal: StopSignal | undefined): number {
  return signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
}

/** The signal behind an abort, when `runBin` caused it. */
export function stopSignalOf(reason: unknown): StopSignal | undefined {
  return reason instanceof Interrupted ? reason.signal : undefined;
}

/** A command line that cannot be run as given (a flag's value, a combination of flags). */
export class UsageError extends XBackendError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Errors the user fixes by changing the command line: they exit with 2, everything else with 1. */
export function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof InvalidArgumentError ||
    error instanceof UnknownBackendError ||
    error instanceof UnknownEngineError ||
    (error instanceof CommanderError && error.exitCode !== 0)
  );
}

/** The rejection of work stopped by an AbortSignal (Ctrl-C). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
