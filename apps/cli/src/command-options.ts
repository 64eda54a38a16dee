import {
  type BackendRegistry,
  D2L_DEFAULTS,
  type LoadedBackend,
  loadBackend,
  MODEL_PRESETS,
  type ModelPreset,
  type ParsedBackendRef,
  PRESET_TRAINING,
} from '@xbackend/core';
import {
  absoluteBackendItem,
  addThreadOptions,
  type Console,
  type DataFlags,
  parseBackendChoice,
  parseInteger,
  parseName,
  parseNonNegativeNumber,
  parseOpenFraction,
  parsePositiveInt,
  parsePositiveNumber,
  type ThreadFlags,
  threadOptions,
  UsageError,
} from '@xbackend/runs';
import { type Command, Option } from 'commander';
import type { DataSource } from './data.js';
import { DEFAULT_BACKEND } from './defaults.js';
import { normalInitPresets } from './model-choice.js';

/** What every command receives besides its flags. */
export interface CommandContext {
  readonly console: Console;
  /** The short backend names (core's default registry unless `main` was given another). */
  readonly registry: BackendRegistry;
  /** Adapters resolve from the CLI package (passed to loadBackend / listBackends). */
  readonly resolveFrom: string;
  readonly signal?: AbortSignal;
}

/** `--backend`, `--engine` and the engine settings `--threads`, `--spinning`. */
export interface BackendFlags extends ThreadFlags {
  backend: string;
  engine?: string;
}

export interface HyperparameterFlags {
  model: ModelPreset;
  epochs: number;
  batchSize: number;
  /** Undefined: the model's book lr. */
  lr?: number;
  /** Undefined: the model's book init. */
  initStd?: number;
  weightDecay: number;
  seed: number;
  valFraction?: number;
  patience?: number;
}

export function addBackendOptions(cmd: Command, ctx: CommandContext, defaultBackend: string | undefined = DEFAULT_BACKEND): Command {
  const backend = new Option(
    '--backend <name>',
    `backend: ${ctx.registry.names.join(', ')}, or an adapter's package name or path; name/engine picks an engine (see 'xbackend backends')`,
  ).argParser(parseName);
  cmd
    .addOption(defaultBackend === undefined ? backend : backend.default(defaultBackend))
    .addOption(
      new Option(
        '--engine <name>',
        "engine of the backend (default: the backend's first available one; see 'xbackend backends')",
      ).argParser(parseName),
    );
  return addThreadOptions(cmd);
}

/** `--model`: the book's Fashion-MNIST models (core's presets). */
export function modelOption(): Option {
  return new Option('--model <name>', "the book's model: softmax (§3.7), mlp (§4.3) or lenet (§7.6)")
    .choices(MODEL_PRESETS)
    .default('softmax' satisfies ModelPreset);
}

/** `(default: the model's: softmax 0.1, mlp 0.1, lenet 0.9)`, for the help of a flag whose default follows --model. */
export function bookLrs(): string {
  return `the model's: ${MODEL_PRESETS.map((preset) => `${preset} ${PRESET_TRAINING[preset].lr}`).join(', ')}`;
}

export function addHyperparameterOptions(cmd: Command): Command {
  return cmd
    .addOption(modelOption())
    .addOption(new Option('--epochs <n>', 'number of epochs').argParser(parsePositiveInt).default(D2L_DEFAULTS.numEpochs))
    .addOption(new Option('--batch-size <n>', 'mini-batch size').argParser(parsePositiveInt).default(D2L_DEFAULTS.batchSize))
    .addOption(new Option('--lr <number>', `learning rate of SGD (> 0; default: ${bookLrs()})`).argParser(parsePositiveNumber))
    .addOption(
      new Option(
        '--init-std <number>',
        `standard deviation of the N(0, std) initial weights of ${normalInitPresets().join(' and ')} (default ${D2L_DEFAULTS.initStd}; the other models keep the book's init)`,
      ).argParser(parseNonNegativeNumber),
    )
    .addOption(new Option('--weight-decay <number>', 'L2 weight decay of SGD (>= 0)').argParser(parseNonNegativeNumber).default(0))
    .addOption(
      new Option('--seed <n>', 'seed of the initial weights, the data order and the validation split')
        .argParser(parseInteger)
        .default(D2L_DEFAULTS.seed),
    )
    .addOption(
      new Option(
        '--val-fraction <f>',
        'hold out this fraction of the training set (seeded split) for validation and early stopping',
      ).argParser(parseOpenFraction),
    )
    .addOption(
      new Option(
        '--patience <n>',
        'early stopping: stop after this many epochs without a better validation accuracy (default 3)',
      ).argParser(parsePositiveInt),
    );
}

export function dataSource(flags: DataFlags): DataSource {
  return { ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }), verify: flags.verifyData, download: flags.download };
}

/** `--backend` (name or name/engine) checked against `--engine`; a contradiction is a usage error, not a silent choice. */
export function backendChoice(flags: BackendFlags, ctx: CommandContext): ParsedBackendRef {
  const { backend, engine: inline } = parseBackendChoice(absoluteBackendItem(flags.backend, ctx.console.cwd), '--backend');
  if (inline !== undefined && flags.engine !== undefined && inline !== flags.engine) {
    throw new UsageError(`--backend ${flags.backend} names engine '${inline}' but --engine says '${flags.engine}'; give one.`);
  }
  const engine = flags.engine ?? inline;
  return engine === undefined ? { backend } : { backend, engine };
}

/** The chosen backend, resolved through the command's registry, with the run's seed and the engine settings given. */
export function loadChoice(choice: ParsedBackendRef, seed: number, ctx: CommandContext, settings: ThreadFlags): Promise<LoadedBackend> {
  return loadBackend(choice.backend, {
    ...(choice.engine === undefined ? {} : { engine: choice.engine }),
    seed,
    registry: ctx.registry,
    resolveFrom: ctx.resolveFrom,
    ...threadOptions(settings),
  });
}

/** The engine as it reported itself (versions, threads, provider), for a run's header and reports. */
export function engineDetails(loaded: LoadedBackend): string {
  return Object.entries(loaded.backend.details)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** True when the user typed the flag (as opposed to its default). */
export function givenOnCommandLine(cmd: Command, key: string): boolean {
  return cmd.getOptionValueSource(key) === 'cli';
}
