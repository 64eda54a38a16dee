import type { ChildProcess } from 'node:child_process';
import { XBackendError } from '@xbackend/core';
import { Command, CommanderError } from 'commander';
import { type BenchFlags, benchOptions, defineOptions } from './cli-options.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, isAbort, isUsageError } from './errors.js';
import { createProgress, type Output } from './progress.js';
import { resultTables } from './report-md.js';
import { runBench } from './run-bench.js';

const VERSION = '0.1.0';

/** Everything the command touches besides its arguments, so tests can run it in-process. */
export interface BenchIO {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Base of relative paths (default: process.cwd()). */
  readonly cwd?: string;
  /** Ctrl-C in bin.ts: kills the running child; nothing is written. */
  readonly signal?: AbortSignal;
  readonly onChild?: (child: ChildProcess) => void;
}

/** The command line as it can be typed again from the repository root. */
function commandLine(args: readonly string[]): string {
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`));
  return ['pnpm bench', ...quoted].join(' ');
}

/** Runs `xbackend-bench` (`argv` as in `process.argv`) and returns the exit code (see errors.ts). */
export async function main(argv: readonly string[], io: BenchIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const err = (line: string) => io.stderr.write(`${line}\n`);
  let someFailed = false;
  const program = new Command('xbackend-bench')
    .description(
      'side-by-side speed of every xbackend backend/engine on d2l §3.7 softmax regression (Fashion-MNIST), each in its own process; writes bench.json, REPORT.md and SVG charts',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showSuggestionAfterError();
  defineOptions(program).action(async (flags: BenchFlags) => {
    const options = benchOptions(flags, cwd, commandLine(argv.slice(2)));
    const { report, files } = await runBench(options, {
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.onChild ? { onChild: io.onChild } : {}),
      onEvent: createProgress(io.stderr, flags.progress),
    });
    io.stdout.write(`${resultTables(report)}\n`);
    io.stdout.write(`Wrote ${files.join(', ')}\n`);
    const failed = report.rows.filter((r) => r.status === 'failed');
    if (failed.length > 0) {
      someFailed = true;
      err(
        `xbackend-bench: ${failed.length} of ${report.rows.length} rows failed: ${failed.map((r) => `${r.target} (B=${r.batchSize})`).join(', ')}; see REPORT.md.`,
      );
    }
  });
  try {
    await program.parseAsync([...argv]);
    return someFailed ? EXIT_FAILURE : EXIT_OK;
  } catch (error) {
    // Commander has already printed its own message (help, version, unknown flag, bad value).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (isAbort(error)) {
      err('xbackend-bench: interrupted; the running child was stopped and no report was written.');
      return EXIT_INTERRUPTED;
    }
    const usage = isUsageError(error);
    err(`${usage ? 'error' : 'xbackend-bench failed'}: ${error instanceof Error ? error.message : String(error)}`);
    if (usage) err("(see 'xbackend-bench --help')");
    if (!(error instanceof XBackendError) && error instanceof Error && error.stack) err(error.stack);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
}
