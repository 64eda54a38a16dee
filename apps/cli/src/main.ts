import { fileURLToPath } from 'node:url';
import { XBackendError } from '@xbackend/core';
import { Command, CommanderError } from 'commander';
import { defineBackends } from './backends.js';
import type { CommandContext } from './command-options.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, isUsageError } from './errors.js';
import { defineEvaluate } from './evaluate.js';
import { defineExport } from './export.js';
import { type CliIO, createConsole } from './io.js';
import { definePredict } from './predict.js';
import { defineSweep } from './sweep.js';
import { defineTrain } from './train.js';

const VERSION = '0.1.0';

/** Commander is built per call, so tests can run many commands in one process without shared state. */
function buildProgram(ctx: CommandContext): Command {
  const { io } = ctx.console;
  const program = new Command('xbackend')
    .description('d2l §3.7 softmax regression on Fashion-MNIST, on any xbackend backend')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showSuggestionAfterError()
    .helpCommand(true);
  defineTrain(program.command('train'), ctx);
  defineBackends(program.command('backends'), ctx);
  defineEvaluate(program.command('evaluate'), ctx);
  definePredict(program.command('predict'), ctx);
  defineExport(program.command('export'), ctx);
  defineSweep(program.command('sweep'), ctx);
  return program;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Runs the `xbackend` command line (`argv` as in `process.argv`) and returns the exit code:
 * 0 success, 1 the work failed, 2 bad command line, 130 interrupted.
 */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const console = createConsole(io);
  const ctx: CommandContext = { console, resolveFrom: fileURLToPath(import.meta.url), ...(io.signal ? { signal: io.signal } : {}) };
  try {
    await buildProgram(ctx).parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    // Commander has already printed its own message (help, version, unknown flag, bad value).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (isAbort(error)) {
      console.err('xbackend: interrupted');
      return EXIT_INTERRUPTED;
    }
    const usage = isUsageError(error);
    const message = error instanceof Error ? error.message : String(error);
    console.err(`${usage ? 'error' : 'xbackend failed'}: ${message}`);
    if (usage) console.err("(see 'xbackend help <command>')");
    if (!(error instanceof XBackendError) && error instanceof Error && error.stack) console.err(error.stack);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
}
