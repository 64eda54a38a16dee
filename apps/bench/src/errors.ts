import { InvalidArgumentError, UnknownBackendError, UnknownEngineError } from '@xbackend/core';
import { CommanderError } from 'commander';

/** 0: every run measured; 1: a run failed or the bench could not work (missing data); 2: bad command line; 130: interrupted. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report an interrupted command. */
export const EXIT_INTERRUPTED = 130;

/** Errors the user fixes by changing the command line. */
export function isUsageError(error: unknown): boolean {
  return (
    error instanceof InvalidArgumentError ||
    error instanceof UnknownBackendError ||
    error instanceof UnknownEngineError ||
    (error instanceof CommanderError && error.exitCode !== 0)
  );
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
