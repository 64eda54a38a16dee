import { fileURLToPath } from 'node:url';
import { type BackendRegistry, defaultRegistry } from '@xbackend/core';
import { type AppIO, createConsole, createProgram, runProgram } from '@xbackend/runs';
import type { Command } from 'commander';
import { defineBackends } from './backends.js';
import type { CommandContext } from './command-options.js';
import { defineEvaluate } from './evaluate.js';
import { defineExport } from './export.js';
import { definePredict } from './predict.js';
import { defineSweep } from './sweep.js';
import { defineTrain } from './train.js';

const VERSION = '0.1.0';

/** Everything a command touches outside its arguments, so tests (and programs) run commands in-process. */
export interface CliIO extends AppIO {
  /** The short backend names `--backend` accepts (default: core's `defaultRegistry`). */
  readonly registry?: BackendRegistry;
}

/** Commander is built per call, so tests can run many commands in one process without shared state. */
function buildProgram(ctx: CommandContext): Command {
  const program = createProgram('xbackend', VERSION, ctx.console.io)
    .description("the book's Fashion-MNIST models (d2l §3.7 softmax regression, §4.3 MLP, §7.6 LeNet) on any xbackend backend")
    .helpCommand(true);
  defineTrain(program.command('train'), ctx);
  defineBackends(program.command('backends'), ctx);
  defineEvaluate(program.command('evaluate'), ctx);
  definePredict(program.command('predict'), ctx);
  defineExport(program.command('export'), ctx);
  defineSweep(program.command('sweep'), ctx);
  return program;
}

/**
 * Runs the `xbackend` command line (`argv` as in `process.argv`) and returns the exit code:
 * 0 success, 1 the work failed, 2 bad command line, 130 interrupted.
 */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const console = createConsole(io);
  const ctx: CommandContext = {
    console,
    registry: io.registry ?? defaultRegistry,
    resolveFrom: fileURLToPath(import.meta.url),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  return runProgram(buildProgram(ctx), argv, console, { interrupted: 'xbackend: interrupted', help: "(see 'xbackend help <command>')" });
}
