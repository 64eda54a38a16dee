import { type Command, Option } from 'commander';
import type { DataSource } from './data.js';
import { DEFAULT_BACKEND, DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_LR, DEFAULT_SEED } from './defaults.js';
import { UsageError } from './errors.js';
import type { Console } from './io.js';
import { parseInteger, parseName, parseNonNegativeNumber, parseOpenFraction, parsePositiveInt, parsePositiveNumber } from './options.js';

/** What every command receives besides its flags. */
export interface CommandContext {
  readonly console: Console;
  /** Adapters resolve from the CLI package (passed to loadBackend / listBackends). */
  readonly resolveFrom: string;
  readonly signal?: AbortSignal;
}

export interface BackendFlags {
  backend: string;
  engine?: string;
}

export interface DataFlags {
  dataDir?: string;
  verifyData: boolean;
  download: boolean;
}

export interface HyperparameterFlags {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  seed: number;
  valFraction?: number;
  patience?: number;
}

export function addBackendOptions(cmd: Command, defaultBackend: string | undefined = DEFAULT_BACKEND): Command {
  const backend = new Option(
    '--backend <name>',
    'backend: reference, onnxruntime, tfjs or gpujs (or name/engine, e.g. tfjs/wasm)',
  ).argParser(parseName);
  return cmd
    .addOption(defaultBackend === undefined ? backend : backend.default(defaultBackend))
    .addOption(
      new Option(
        '--engine <name>',
        "engine of the backend (default: the backend's first available one; see 'xbackend backends')",
      ).argParser(parseName),
    );
}

export function addDataOptions(cmd: Command): Command {
  return cmd
    .option(
      '--data-dir <dir>',
      'directory with the four Fashion-MNIST IDX files, searched before the cache and /usr/share/datasets/fashion-mnist',
    )
    .option(
      '--no-verify-data',
      "skip the SHA-256 check of the data files (for fixtures or other IDX data; the files' structure is still checked)",
    )
    .option('--no-download', 'fail instead of downloading Fashion-MNIST when it is not found');
}

export function addHyperparameterOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--epochs <n>', 'number of epochs').argParser(parsePositiveInt).default(DEFAULT_EPOCHS))
    .addOption(new Option('--batch-size <n>', 'mini-batch size').argParser(parsePositiveInt).default(DEFAULT_BATCH_SIZE))
    .addOption(new Option('--lr <number>', 'learning rate of SGD (> 0)').argParser(parsePositiveNumber).default(DEFAULT_LR))
    .addOption(new Option('--weight-decay <number>', 'L2 weight decay of SGD (>= 0)').argParser(parseNonNegativeNumber).default(0))
    .addOption(
      new Option('--seed <n>', 'seed of the initial weights, the data order and the validation split')
        .argParser(parseInteger)
        .default(DEFAULT_SEED),
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

/** Splits `name/engine` and checks it against `--engine`; a contradiction is a usage error, not a silent choice. */
export function backendChoice(flags: BackendFlags): { name: string; engine?: string } {
  const [name = '', inline, ...rest] = flags.backend.split('/');
  if (name === '' || inline === '' || rest.length > 0)
    throw new UsageError(`--backend '${flags.backend}' is not of the form name or name/engine.`);
  if (inline !== undefined && flags.engine !== undefined && inline !== flags.engine) {
    throw new UsageError(`--backend ${flags.backend} names engine '${inline}' but --engine says '${flags.engine}'; give one.`);
  }
  const engine = flags.engine ?? inline;
  return engine === undefined ? { name } : { name, engine };
}

/** True when the user typed the flag (as opposed to its default). */
export function givenOnCommandLine(cmd: Command, key: string): boolean {
  return cmd.getOptionValueSource(key) === 'cli';
}
