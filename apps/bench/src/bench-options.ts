import { D2L_DEFAULTS, InvalidArgumentError, MODEL_PRESETS, type ModelPreset, PRESET_TRAINING } from '@xbackend/core';
import { describeInit, presetInit, type WeightInit } from '@xbackend/runs';
import type { BrowserRequest } from './browser-targets.js';
import type { DataSpec, FaultKind } from './protocol.js';

/** Everything a bench run is asked to do (the command line, parsed). */
export interface BenchOptions {
  /** `name` or `name/engine` items (a short name, package name or path); undefined: every engine available here. */
  readonly backends?: readonly string[];
  readonly epochs: number;
  readonly warmupEpochs: number;
  readonly batchSizes: readonly number[];
  /** Fresh child processes per target and batch size. */
  readonly repeat: number;
  readonly seed: number;
  /** The book's model to train: §3.7 softmax regression (the default), §4.3's MLP or §7.6's LeNet. */
  readonly model?: ModelPreset;
  /** SGD's learning rate; default the model's own (core's `PRESET_TRAINING`: 0.1, LeNet 0.9). */
  readonly lr?: number;
  /**
   * Standard deviation of the N(0, std) initial weights of the models the book initialises that way (softmax, mlp;
   * default 0.01). LeNet starts from the book's xavierUniform weights, so giving it one is an error.
   */
  readonly initStd?: number;
  /** Intra-op threads for engines that have the setting; undefined: each engine's default. */
  readonly threads?: number;
  /** Whether idle intra-op threads spin between calls (onnxruntime); undefined: each engine's default. */
  readonly spinning?: boolean;
  readonly data: DataSpec;
  /** Add the baselines: reference/float32, tfjs-idiomatic and the floors after each engine that has them, and the peers. */
  readonly baselines: boolean;
  /** Add the Python peers (numpy, the book's PyTorch code) to the baselines (default true). */
  readonly peers?: boolean;
  /** The Python interpreter the peers run on (default /usr/bin/python3, where Debian installs numpy and torch). */
  readonly python?: string;
  /**
   * Also run the same measurement in headless Chromium, in the playground page: `'all'` for every engine the page
   * offers there, or `name` / `name/engine` items; rows `browser:<name>/<engine>`. Undefined: no browser rows.
   */
  readonly browser?: BrowserRequest;
  /** Directory for bench.json, REPORT.md and the charts. */
  readonly out: string;
  /** A run taking longer is killed and reported as failed. */
  readonly runTimeoutMs?: number;
  /** Test hook: make these targets fail (`throw`) or die (`crash`) halfway through their first measured epoch. */
  readonly faults?: Readonly<Record<string, FaultKind>>;
  /** The command line, recorded in the report for reproducing it. */
  readonly command: string;
}

/** What the bench measures unless told otherwise: d2l §3.7's settings, for fewer epochs than the book's (lr and init: the model's). */
export const DEFAULTS = {
  model: 'softmax',
  epochs: 3,
  warmupEpochs: 1,
  batchSizes: [D2L_DEFAULTS.batchSize],
  repeat: 1,
  seed: D2L_DEFAULTS.seed,
} as const;

/** How a bench trains: the model, SGD's lr and the initial weights, with the model's defaults filled in. */
export interface BenchTraining {
  readonly model: ModelPreset;
  readonly lr: number;
  /** How every row's initial weights are drawn (core's seeded initializer): N(0, std), or LeNet's xavierUniform. */
  readonly init: WeightInit;
}

/** The options' model, lr and init, each defaulting to the book's for that model (`checkBenchOptions` has passed). */
export function benchTraining(o: Pick<BenchOptions, 'model' | 'lr' | 'initStd'>): BenchTraining {
  const model = o.model ?? DEFAULTS.model;
  const book = presetInit(model);
  const init: WeightInit = book.kind === 'normal' && o.initStd !== undefined ? { kind: 'normal', std: o.initStd } : book;
  return { model, lr: o.lr ?? PRESET_TRAINING[model].lr, init };
}

function positiveInt(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1, got ${value}.`);
}

/** Checks options given programmatically (the command line's parsers already reject the same things). */
export function checkBenchOptions(o: BenchOptions): void {
  positiveInt(o.epochs, 'epochs');
  if (!Number.isSafeInteger(o.warmupEpochs) || o.warmupEpochs < 0) {
    throw new InvalidArgumentError(`warmupEpochs must be a whole number >= 0, got ${o.warmupEpochs}.`);
  }
  if (o.batchSizes.length === 0) throw new InvalidArgumentError('batchSizes must list at least one batch size.');
  for (const b of o.batchSizes) positiveInt(b, 'every batch size');
  if (new Set(o.batchSizes).size !== o.batchSizes.length)
    throw new InvalidArgumentError(`batchSizes lists a size twice: ${o.batchSizes.join(', ')}.`);
  positiveInt(o.repeat, 'repeat');
  if (!Number.isSafeInteger(o.seed)) throw new InvalidArgumentError(`seed must be a whole number, got ${o.seed}.`);
  const model = o.model ?? DEFAULTS.model;
  if (!MODEL_PRESETS.includes(model))
    throw new InvalidArgumentError(`model must be one of ${MODEL_PRESETS.join(', ')}, got '${String(model)}'.`);
  if (o.lr !== undefined && (!(o.lr > 0) || !Number.isFinite(o.lr)))
    throw new InvalidArgumentError(`lr must be a finite number > 0, got ${o.lr}.`);
  if (o.initStd !== undefined) {
    if (!(o.initStd >= 0) || !Number.isFinite(o.initStd))
      throw new InvalidArgumentError(`initStd must be a finite number >= 0, got ${o.initStd}.`);
    const book = presetInit(model);
    if (book.kind !== 'normal') {
      throw new InvalidArgumentError(
        `--init-std sets the std of N(0, std) initial weights, but the book initialises ${model} ${describeInit(book)} ` +
          `(and PyTorch's default biases), as the bench does: leave out --init-std with --model ${model}.`,
      );
    }
  }
  if (o.threads !== undefined) positiveInt(o.threads, 'threads');
  if (o.spinning !== undefined && typeof o.spinning !== 'boolean')
    throw new InvalidArgumentError(`spinning must be true or false, got ${String(o.spinning)}.`);
  if (o.python !== undefined && (typeof o.python !== 'string' || o.python === ''))
    throw new InvalidArgumentError(`python must name an interpreter, got ${String(o.python)}.`);
  if (o.data.trainExamples !== undefined) positiveInt(o.data.trainExamples, 'trainExamples');
  if (o.data.testExamples !== undefined) positiveInt(o.data.testExamples, 'testExamples');
  if (o.runTimeoutMs !== undefined && !(o.runTimeoutMs > 0))
    throw new InvalidArgumentError(`runTimeoutMs must be > 0, got ${o.runTimeoutMs}.`);
  if (o.backends?.length === 0) throw new InvalidArgumentError('backends must name at least one backend (or be left out for all).');
  if (o.browser !== undefined) checkBrowserOptions(o, o.browser);
}

/** The page trains the book's script on the whole data set: what the browser rows cannot do like the Node ones. */
function checkBrowserOptions(o: BenchOptions, browser: BrowserRequest): void {
  if (browser !== 'all') {
    if (browser.length === 0) throw new InvalidArgumentError("browser must name at least one backend or engine (or be 'all').");
    const bad = browser.find((item) => !/^[\w.-]+(\/[\w.-]+)?$/.test(item));
    if (bad !== undefined) throw new InvalidArgumentError(`--browser item '${bad}' is not of the form name or name/engine.`);
  }
  if (o.data.trainExamples !== undefined || o.data.testExamples !== undefined) {
    throw new InvalidArgumentError(
      '--browser runs the playground page on the whole data set: leave out --train-examples and --test-examples (or give a smaller data set with --data-dir).',
    );
  }
  if (o.initStd !== undefined && o.initStd !== D2L_DEFAULTS.initStd) {
    throw new InvalidArgumentError(
      `--browser runs the book's script, which initialises with N(0, ${D2L_DEFAULTS.initStd}): leave out --init-std.`,
    );
  }
}
