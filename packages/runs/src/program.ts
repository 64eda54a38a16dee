import { XBackendError } from '@xbackend/core';
import { Command, CommanderError } from 'commander';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeOfSignal,
  Interrupted,
  isAbort,
  isUsageError,
  type StopSignal,
  stopSignalOf,
} from './errors.js';
import type { AppIO, Console } from './io.js';

/** A commander program that writes to `io`, throws instead of exiting the process, and suggests close matches. */
export function createProgram(name: string, version: string, io: AppIO): Command {
  return new Command(name)
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showSuggestionAfterError();
}

/** What a command prints when it is interrupted, and where a usage error points for help. */
export interface ExitMessages {
  readonly interrupted: string;
  readonly help: string;
}

/**
 * Runs `program` on `argv` (as in `process.argv`) and returns its exit code: 0 done, 2 bad command line, 130
 * interrupted (143 when by SIGTERM), 1 anything else, which is printed (with its stack when it is not one of
 * xbackend's own errors).
 */
export async function runProgram(program: Command, argv: readonly string[], console: Console, messages: ExitMessages): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    // Commander has already printed its own message (help, version, unknown flag, bad value).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (isAbort(error)) {
      const signal = stopSignalOf(error);
      console.err(signal ? `${messages.interrupted} (${signal})` : messages.interrupted);
      return exitCodeOfSignal(signal);
    }
    const usage = isUsageError(error);
    console.err(`${usage ? 'error' : `${program.name()} failed`}: ${error instanceof Error ? error.message : String(error)}`);
    if (usage) console.err(messages.help);
    if (!(error instanceof XBackendError) && error instanceof Error && error.stack) console.err(error.stack);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
}

/**
 * The body of a `bin` script: runs `main` on the process's arguments and streams and sets the exit code. SIGINT
 * (Ctrl-C) or SIGTERM aborts the work through `io.signal`, with an `Interrupted` reason naming the signal (each
 * command says what that stops and saves); a second signal exits at once.
 */
export async function runBin(main: (argv: readonly string[], io: AppIO) => Promise<number>): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: StopSignal) => {
    if (controller.signal.aborted) process.exit(exitCodeOfSignal(signal));
    controller.abort(new Interrupted(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
}
