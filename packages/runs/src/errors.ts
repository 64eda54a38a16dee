import { InvalidArgumentError, UnknownBackendError, UnknownEngineError, XBackendError } from '@xbackend/core';
import { CommanderError } from 'commander';

/**
 * Exit codes of the xbackend commands: 0 success, 1 the work failed (divergence, missing data, unavailable backend,
 * a failed bench run), 2 bad command line, 130 interrupted.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report an interrupted command. */
export const EXIT_INTERRUPTED = 130;

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
