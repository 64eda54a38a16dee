import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BackendRegistry, defaultRegistry, describeLayer, InvalidArgumentError, presetLayers } from '@xbackend/core';
import { gridStatuses, runGrid } from '@xbackend/runs';
import { loadBenchData } from './bench-data.js';
import { type BenchOptions, type BenchTraining, benchTraining, checkBenchOptions } from './bench-options.js';
import { type BrowserRows, prepareBrowserRows } from './browser-page.js';
import { isBrowserLabel } from './browser-targets.js';
import { type ChildRunOptions, type RunOutcome, runInChild } from './child-runner.js';
import { machineInfo } from './machine.js';
import { runInBrowser } from './measure-browser.js';
import { DEFAULT_PYTHON, PEERS, type PeerName, peerUnavailable } from './measure-peer.js';
import type { ProgressMessage, RunRequest } from './protocol.js';
import { type BenchReport, type BenchSettings, ResultTable, type RunRecord } from './results.js';
import { planOptions, planTargets, type Target, type TargetPlan } from './targets.js';
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
  /**
   * The short backend names `backends` may use (default: core's `defaultRegistry`). Each run is a child process,
   * which gets the registry's entries: those it runs must be package names or paths, not adapter objects or loaders.
   */
  readonly registry?: BackendRegistry;
}

export interface BenchResult {
  readonly report: BenchReport;
  readonly files: string[];
}

/** One run of the bench: a target at a batch size, in one repeat. */
interface BenchCell {
  readonly target: Target;
  readonly batchSize: number;
  readonly repeat: number;
}

/** The registry as a child process can rebuild it: its package-name and path entries. */
function childRegistry(registry: BackendRegistry, targets: readonly Target[]): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of registry.names) {
    const source = registry.source(name);
    if (typeof source === 'string') entries[name] = source;
    else if (targets.some((t) => t.kind === 'adapter' && t.backend === name)) {
      throw new InvalidArgumentError(
        `Backend '${name}' is registered as an adapter ${typeof source === 'function' ? 'loader' : 'object'}, but the bench runs each backend in a child process, ` +
          `which can only import it by package name or path: register it as { ${name}: '<package name or path>' }.`,
      );
    }
  }
  return entries;
}

function requestFor(
  options: BenchOptions,
  training: BenchTraining,
  context: Pick<RunRequest, 'registry' | 'resolveFrom'>,
  cell: BenchCell,
): RunRequest {
  const { target, batchSize } = cell;
  const fault = options.faults?.[target.label];
  return {
    type: 'run',
    kind: target.kind,
    backend: target.backend,
    ...(target.engine === undefined ? {} : { engine: target.engine }),
    batchSize,
    warmupEpochs: options.warmupEpochs,
    epochs: options.epochs,
    model: training.model,
    lr: training.lr,
    init: training.init,
    seed: options.seed,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.spinning === undefined ? {} : { spinning: options.spinning }),
    python: options.python ?? DEFAULT_PYTHON,
    data: options.data,
    ...context,
    ...(fault ? { fault } : {}),
  };
}

/**
 * The bench: plans the runs from the registry (and, with `browser`, from the engines the playground page offers in
 * headless Chromium), checks the data once, runs every (repeat, batch size, target) in its own child process or, for a
 * browser row, its own browser (runs' grid runner; targets interleaved within a repeat), then writes bench.json,
 * REPORT.md and the SVG charts. A run that fails becomes a failed row; the others still report.
 */
export async function runBench(options: BenchOptions, hooks: BenchHooks = {}): Promise<BenchResult> {
  checkBenchOptions(options);
  const training = benchTraining(options);
  const { signal } = hooks;
  const registry = hooks.registry ?? defaultRegistry;
  const resolveFrom = hooks.resolveFrom ?? fileURLToPath(import.meta.url);
  const statuses = await gridStatuses({ ...planOptions(options.backends), registry, resolveFrom });
  const peers =
    options.baselines && (options.peers ?? true)
      ? await Promise.all(
          (Object.keys(PEERS) as PeerName[]).map(async (peer) => ({
            peer,
            unavailable: await peerUnavailable(options.python ?? DEFAULT_PYTHON, peer, training.model),
          })),
        )
      : [];
  const nodePlan = planTargets(options.backends, statuses, options.baselines, peers, training.model);
  for (const label of Object.keys(options.faults ?? {})) {
    if (isBrowserLabel(label)) {
      throw new InvalidArgumentError(
        `--inject-fault makes a child process fail, and '${label}' runs in a browser, not in a child process.`,
      );
    }
    if (!nodePlan.targets.some((t) => t.label === label)) {
      throw new InvalidArgumentError(
        `--inject-fault names '${label}', which is not one of this bench's runs: ${nodePlan.targets.map((t) => t.label).join(', ')}.`,
      );
    }
  }
  const context = { registry: childRegistry(registry, nodePlan.targets), resolveFrom };
  // A missing data set or an impossible --train-examples fails here, once, rather than in every child.
  const { train, test } = await loadBenchData(options.data, options.batchSizes[0] as number, options.seed);
  const browser = options.browser
    ? await prepareBrowserRows(options.browser, options.data, { train: train.numExamples, test: test.numExamples }, signal)
    : undefined;
  try {
    const architecture = architectureOf(training, train);
    return await measureAndReport(options, hooks, { nodePlan, browser, context, training, architecture, registry });
  } finally {
    await browser?.close();
  }
}

/** The model's layers in words, e.g. `Sequential(Flatten, Linear(784, 10))`. */
function architectureOf(training: BenchTraining, train: { sampleShape: readonly number[]; numClasses: number }): string {
  return `Sequential(${presetLayers(training.model, train.sampleShape, train.numClasses).map(describeLayer).join(', ')})`;
}

interface Planned {
  readonly nodePlan: TargetPlan;
  readonly browser: BrowserRows | undefined;
  readonly context: Pick<RunRequest, 'registry' | 'resolveFrom'>;
  readonly training: BenchTraining;
  /** The model's layers in words. */
  readonly architecture: string;
  readonly registry: BackendRegistry;
}

/** Runs every cell (Node rows in child processes, browser rows in Chromium), then writes the report. */
async function measureAndReport(options: BenchOptions, hooks: BenchHooks, planned: Planned): Promise<BenchResult> {
  const { signal } = hooks;
  const { browser, context, training, architecture, registry } = planned;
  const plan = {
    targets: [...planned.nodePlan.targets, ...(browser?.plan.targets ?? [])],
    skipped: [...planned.nodePlan.skipped, ...(browser?.plan.skipped ?? [])],
  };
  if (plan.targets.length === 0) {
    throw new InvalidArgumentError(
      `No backend/engine can run here: ${plan.skipped.map((s) => s.label).join(', ')} are unavailable (see 'xbackend backends').`,
    );
  }
  const machine = { ...machineInfo(registry), ...(browser?.browser ? { browser: browser.browser } : {}) };
  const createdAt = new Date().toISOString();

  // Targets interleaved within a repeat, so slow drift in the machine's load spreads over all of them.
  const cells: BenchCell[] = [];
  for (let repeat = 1; repeat <= options.repeat; repeat++)
    for (const batchSize of options.batchSizes) for (const target of plan.targets) cells.push({ target, batchSize, repeat });
  const totalRuns = cells.length;
  hooks.onEvent?.({ type: 'plan', targets: plan.targets, skipped: plan.skipped, totalRuns });
  const table = new ResultTable();
  await runGrid(
    cells,
    (cell, index) => {
      const request = requestFor(options, training, context, cell);
      const runOptions: ChildRunOptions = {
        ...(signal ? { signal } : {}),
        ...(options.runTimeoutMs === undefined ? {} : { timeoutMs: options.runTimeoutMs }),
        onProgress: (message) => hooks.onEvent?.({ type: 'run-progress', index, message }),
        ...(hooks.onChild ? { onSpawn: hooks.onChild } : {}),
      };
      const session = browser?.session;
      if (cell.target.kind !== 'browser') return runInChild(request, runOptions);
      if (!session) throw new Error(`internal: browser row ${cell.target.label} without a browser`);
      return runInBrowser(request, session, runOptions);
    },
    (_cell, error): RunOutcome => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    {
      ...(signal ? { signal } : {}),
      onStart: (cell, index) => hooks.onEvent?.({ type: 'run-start', index, totalRuns, ...cell }),
      onEnd: (cell, outcome, index) => {
        const record = table.add(cell.target, cell.batchSize, cell.repeat, outcome);
        hooks.onEvent?.({ type: 'run-end', index, record });
      },
    },
  );

  const settings: BenchSettings = {
    epochs: options.epochs,
    warmupEpochs: options.warmupEpochs,
    batchSizes: options.batchSizes,
    repeat: options.repeat,
    seed: options.seed,
    ...training,
    architecture,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.spinning === undefined ? {} : { spinning: options.spinning }),
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
