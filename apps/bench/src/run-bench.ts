import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, listBackends } from '@xbackend/core';
import { loadBenchData } from './bench-data.js';
import { type BenchOptions, checkBenchOptions } from './bench-options.js';
import { runInChild } from './child-runner.js';
import { machineInfo } from './machine.js';
import type { ProgressMessage, RunRequest } from './protocol.js';
import { type BenchReport, type BenchSettings, ResultTable, type RunRecord } from './results.js';
import { planTargets, type Target } from './targets.js';
import { writeOutputs } from './write-outputs.js';

/** What a progress display sees of a bench. */
export type BenchEvent =
  | { readonly type: 'plan'; readonly targets: readonly Target[]; readonly skipped: BenchReport['skipped']; readonly totalRuns: number }
  | {
      readonly type: 'run-start';
      readonly index: number;
      readonly totalRuns: number;
      readonly target: Target;
      readonly batchSize: number;
      readonly repeat: number;
    }
  | { readonly type: 'run-progress'; readonly index: number; readonly message: ProgressMessage }
  | { readonly type: 'run-end'; readonly index: number; readonly record: RunRecord };

export interface BenchHooks {
  /** Aborting kills the running child and rejects with an AbortError before anything is written. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BenchEvent) => void;
  readonly onChild?: (child: ChildProcess) => void;
  /** Where adapter packages are resolved from (default: this package). */
  readonly resolveFrom?: string;
}

export interface BenchResult {
  readonly report: BenchReport;
  readonly files: string[];
}

function requestFor(options: BenchOptions, target: Target, batchSize: number): RunRequest {
  const fault = options.faults?.[target.label];
  return {
    type: 'run',
    kind: target.kind,
    backend: target.backend,
    ...(target.engine === undefined ? {} : { engine: target.engine }),
    batchSize,
    warmupEpochs: options.warmupEpochs,
    epochs: options.epochs,
    lr: options.lr,
    initStd: options.initStd,
    seed: options.seed,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    data: options.data,
    ...(fault ? { fault } : {}),
  };
}

/**
 * The bench: plans the runs, checks the data once, runs every (repeat, batch size, target) in its own child process
 * (targets interleaved within a repeat, so slow drift in the machine's load spreads over all of them), then writes
 * bench.json, REPORT.md and the SVG charts. A run that fails becomes a failed row; the others still report.
 */
export async function runBench(options: BenchOptions, hooks: BenchHooks = {}): Promise<BenchResult> {
  checkBenchOptions(options);
  const { signal } = hooks;
  const resolveFrom = hooks.resolveFrom ?? fileURLToPath(import.meta.url);
  const plan = planTargets(options.backends, await listBackends(resolveFrom), options.baselines);
  for (const label of Object.keys(options.faults ?? {})) {
    if (!plan.targets.some((t) => t.label === label)) {
      throw new InvalidArgumentError(
        `--inject-fault names '${label}', which is not one of this bench's runs: ${plan.targets.map((t) => t.label).join(', ')}.`,
      );
    }
  }
  if (plan.targets.length === 0) {
    throw new InvalidArgumentError(
      `No backend/engine can run here: ${plan.skipped.map((s) => s.label).join(', ')} are unavailable (see 'xbackend backends').`,
    );
  }
  // A missing data set or an impossible --train-examples fails here, once, rather than in every child.
  const { train } = await loadBenchData(options.data, options.batchSizes[0] as number, options.seed);
  const model = `Sequential(Flatten, Linear(${train.sampleShape.reduce((a, b) => a * b, 1)}, ${train.numClasses}))`;
  const machine = machineInfo();
  const createdAt = new Date().toISOString();

  const totalRuns = options.repeat * options.batchSizes.length * plan.targets.length;
  hooks.onEvent?.({ type: 'plan', targets: plan.targets, skipped: plan.skipped, totalRuns });
  const table = new ResultTable();
  let index = 0;
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    for (const batchSize of options.batchSizes) {
      for (const target of plan.targets) {
        signal?.throwIfAborted();
        index++;
        hooks.onEvent?.({ type: 'run-start', index, totalRuns, target, batchSize, repeat });
        const runIndex = index;
        const outcome = await runInChild(requestFor(options, target, batchSize), {
          ...(signal ? { signal } : {}),
          ...(options.runTimeoutMs === undefined ? {} : { timeoutMs: options.runTimeoutMs }),
          onProgress: (message) => hooks.onEvent?.({ type: 'run-progress', index: runIndex, message }),
          ...(hooks.onChild ? { onSpawn: hooks.onChild } : {}),
        });
        const record = table.add(target, batchSize, repeat, outcome);
        hooks.onEvent?.({ type: 'run-end', index, record });
      }
    }
  }
  signal?.throwIfAborted();

  const settings: BenchSettings = {
    epochs: options.epochs,
    warmupEpochs: options.warmupEpochs,
    batchSizes: options.batchSizes,
    repeat: options.repeat,
    seed: options.seed,
    lr: options.lr,
    initStd: options.initStd,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    model,
    data: options.data,
  };
  const report: BenchReport = {
    format: 'xbackend-bench',
    version: 1,
    createdAt,
    command: options.command,
    settings,
    machine,
    skipped: plan.skipped,
    rows: table.rows(plan.targets, options.batchSizes),
    runs: table.runs,
  };
  // From here on the signal is not consulted: a report that is being written is finished, so it is whole.
  const files = await writeOutputs(options.out, report);
  return { report, files };
}
