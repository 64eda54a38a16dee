import { XBackendError } from '@xbackend/core';
import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, isAbort, isUsageError } from './errors.js';
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
 * interrupted, 1 anything else, which is printed (with its stack when it is not one of xbackend's own errors).
 */
export async function runProgram(program: Command, argv: readonly string[], console: Console, messages: ExitMessages): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    // Commander has already printed its own message (help, version, unknown flag, bad value).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (isAbort(error)) {
      console.err(messages.interrupted);
      return EXIT_INTERRUPTED;
    }
    const usage = isUsageError(error);
    console.err(`${usage ? 'error' : `${program.name()} failed`}: ${error instanceof Error ? error.message : String(error)}`);
    if (usage) console.err(messages.help);
    if (!(error instanceof XBackendError) && error instanceof Error && error.stack) console.err(error.stack);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
}

/**
 * The body of a `bin` script: runs `main` on the process's arguments and streams and sets the exit code. Ctrl-C
 * aborts the work through `io.signal` (each command says what that stops); a second Ctrl-C exits at once.
 */
export async function runBin(main: (argv: readonly string[], io: AppIO) => Promise<number>): Promise<void> {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED));
  });
  process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
}
