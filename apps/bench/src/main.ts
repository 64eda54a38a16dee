import type { ChildProcess } from 'node:child_process';
import type { BackendRegistry } from '@xbackend/core';
import { type AppIO, createConsole, createProgram, EXIT_FAILURE, EXIT_OK, runProgram } from '@xbackend/runs';
import { type BenchFlags, benchOptions, defineOptions } from './cli-options.js';
import { createProgress } from './progress.js';
import { resultTables } from './report-md.js';
import { runBench } from './run-bench.js';

const VERSION = '0.1.0';

/** Everything the command touches besides its arguments, so tests can run it in-process. */
export interface BenchIO extends AppIO {
  /** Ctrl-C (`signal`) kills the running child; nothing is written. */
  readonly onChild?: (child: ChildProcess) => void;
  /** The short backend names `--backends` accepts (default: core's `defaultRegistry`); see `BenchHooks.registry`. */
  readonly registry?: BackendRegistry;
}

/** The command line as it can be typed again from the repository root. */
function commandLine(args: readonly string[]): string {
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`));
  return ['pnpm bench', ...quoted].join(' ');
}

/** Runs `xbackend-bench` (`argv` as in `process.argv`) and returns the exit code (0, or 1 when a run failed; see runs' exit codes). */
export async function main(argv: readonly string[], io: BenchIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const console = createConsole(io);
  let someFailed = false;
  const program = createProgram('xbackend-bench', VERSION, io).description(
    "side-by-side speed of every xbackend backend/engine on one of the book's Fashion-MNIST models (d2l §3.7 softmax regression; --model mlp or lenet), each in its own process; writes bench.json, REPORT.md and SVG charts",
  );
  defineOptions(program).action(async (flags: BenchFlags) => {
    const options = benchOptions(flags, console.cwd, commandLine(argv.slice(2)));
    const { report, files } = await runBench(options, {
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.onChild ? { onChild: io.onChild } : {}),
      ...(io.registry ? { registry: io.registry } : {}),
      onEvent: createProgress(io.stderr, flags.progress),
    });
    io.stdout.write(`${resultTables(report)}\n`);
    io.stdout.write(`Wrote ${files.join(', ')}\n`);
    const failed = report.rows.filter((r) => r.status === 'failed');
    if (failed.length > 0) {
      someFailed = true;
      console.err(
        `xbackend-bench: ${failed.length} of ${report.rows.length} rows failed: ${failed.map((r) => `${r.target} (B=${r.batchSize})`).join(', ')}; see REPORT.md.`,
      );
    }
  });
  const code = await runProgram(program, argv, console, {
    interrupted: 'xbackend-bench: interrupted; the running child was stopped and no report was written.',
    help: "(see 'xbackend-bench --help')",
  });
  return code === EXIT_OK && someFailed ? EXIT_FAILURE : code;
}
