import { resolve } from 'node:path';
import { D2L_DEFAULTS, MODEL_PRESETS, type ModelPreset, PRESET_TRAINING } from '@xbackend/core';
import {
  absoluteBackendItem,
  addDataOptions,
  addThreadOptions,
  type DataFlags,
  parseInteger,
  parseList,
  parseName,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parsePositiveInt,
  parsePositiveNumber,
  type ThreadFlags,
  threadOptions,
  timestamp,
} from '@xbackend/runs';
import { type Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { type BenchOptions, DEFAULTS } from './bench-options.js';
import { DEFAULT_PYTHON } from './measure-peer.js';
import type { FaultKind } from './protocol.js';

/** `target=throw|crash`, repeatable: collects into one record. */
function parseFault(text: string, previous: Record<string, FaultKind> = {}): Record<string, FaultKind> {
  const match = /^([^=\s]+)=(throw|crash)$/.exec(text.trim());
  if (!match) throw new CommanderArgumentError(`Expected backend/engine=throw or backend/engine=crash, got '${text}'.`);
  return { ...previous, [match[1] as string]: match[2] as FaultKind };
}

export interface BenchFlags extends DataFlags, ThreadFlags {
  backends?: string[];
  epochs: number;
  warmupEpochs: number;
  batchSizes: number[];
  repeat: number;
  seed: number;
  model: ModelPreset;
  lr?: number;
  initStd?: number;
  python: string;
  peers: boolean;
  /** `--browser` alone is true; with a list, its items. */
  browser?: true | string[];
  out?: string;
  trainExamples?: number;
  testExamples?: number;
  baselines: boolean;
  runTimeout?: number;
  injectFault?: Record<string, FaultKind>;
  progress: boolean;
}

export function defineOptions(cmd: Command): Command {
  cmd
    .addOption(
      new Option(
        '--backends <list>',
        "comma-separated name or name/engine, or an adapter's package name or path (default: every engine available here; a name alone: all its available engines; see 'xbackend backends')",
      ).argParser(parseList(parseName)),
    )
    .addOption(new Option('--epochs <n>', 'measured epochs per run').argParser(parsePositiveInt).default(DEFAULTS.epochs))
    .addOption(
      new Option('--warmup-epochs <n>', 'epochs run before measuring (kernel compilation, JIT, caches)')
        .argParser(parseNonNegativeInt)
        .default(DEFAULTS.warmupEpochs),
    )
    .addOption(
      new Option('--batch-sizes <list>', 'batch sizes to measure, e.g. 64,256,1024 for a scaling sweep')
        .argParser(parseList(parsePositiveInt))
        .default([...DEFAULTS.batchSizes], DEFAULTS.batchSizes.join(',')),
    )
    .addOption(
      new Option('--repeat <n>', 'runs (fresh processes) per backend/engine and batch size')
        .argParser(parsePositiveInt)
        .default(DEFAULTS.repeat),
    )
    .addOption(new Option('--seed <n>', 'seed of the initial weights and the data order').argParser(parseInteger).default(DEFAULTS.seed))
    .addOption(
      new Option('--model <name>', "the book's model every row trains: softmax (§3.7 softmax regression), mlp (§4.3) or lenet (§7.6)")
        .choices(MODEL_PRESETS)
        .default(DEFAULTS.model),
    )
    .addOption(
      new Option(
        '--lr <number>',
        `learning rate of SGD (default: the model's, ${MODEL_PRESETS.map((m) => `${PRESET_TRAINING[m].lr} for ${m}`).join(', ')})`,
      ).argParser(parsePositiveNumber),
    )
    .addOption(
      new Option(
        '--init-std <number>',
        `standard deviation of the N(0, std) initial weights of softmax and mlp (default ${D2L_DEFAULTS.initStd}; lenet starts from xavierUniform weights)`,
      ).argParser(parseNonNegativeNumber),
    )
    .option('--out <dir>', 'directory for bench.json, REPORT.md and the SVG charts (default: bench-out/<timestamp>)');
  return addDataOptions(addThreadOptions(cmd))
    .addOption(
      new Option('--train-examples <n>', 'use only the first n training examples (less work, e.g. for tests)').argParser(parsePositiveInt),
    )
    .addOption(new Option('--test-examples <n>', 'use only the first n test examples').argParser(parsePositiveInt))
    .option('--no-baselines', 'do not add reference/float32, tfjs-idiomatic, the floors and the Python peers to the runs')
    .option('--no-peers', "do not add the Python peers (numpy loop, the book's PyTorch code)")
    .addOption(
      new Option('--python <interpreter>', 'Python of the peer rows (needs numpy; torch for the PyTorch row)').default(DEFAULT_PYTHON),
    )
    .addOption(
      new Option(
        '--browser [list]',
        'also run in headless Chromium, in the playground page: every engine it offers there, or these name or name/engine items (rows browser:<name>/<engine>)',
      ).argParser(parseList(parseName)),
    )
    .addOption(new Option('--run-timeout <seconds>', 'kill a run that takes longer and report it as failed').argParser(parsePositiveNumber))
    .addOption(
      new Option('--inject-fault <target=throw|crash>', 'test hook: make a run fail halfway through its first measured epoch')
        .argParser(parseFault)
        .hideHelp(),
    )
    .option('--no-progress', 'no progress display on stderr');
}

export function benchOptions(flags: BenchFlags, cwd: string, command: string): BenchOptions {
  return {
    ...(flags.backends ? { backends: flags.backends.map((item) => absoluteBackendItem(item, cwd)) } : {}),
    epochs: flags.epochs,
    warmupEpochs: flags.warmupEpochs,
    batchSizes: flags.batchSizes,
    repeat: flags.repeat,
    seed: flags.seed,
    model: flags.model,
    ...(flags.lr === undefined ? {} : { lr: flags.lr }),
    ...(flags.initStd === undefined ? {} : { initStd: flags.initStd }),
    ...threadOptions(flags),
    data: {
      ...(flags.dataDir === undefined ? {} : { dataDir: resolve(cwd, flags.dataDir) }),
      verify: flags.verifyData,
      download: flags.download,
      ...(flags.trainExamples === undefined ? {} : { trainExamples: flags.trainExamples }),
      ...(flags.testExamples === undefined ? {} : { testExamples: flags.testExamples }),
    },
    baselines: flags.baselines,
    peers: flags.peers,
    python: flags.python,
    ...(flags.browser === undefined ? {} : { browser: flags.browser === true ? 'all' : flags.browser }),
    out: resolve(cwd, flags.out ?? `bench-out/${timestamp()}`),
    ...(flags.runTimeout === undefined ? {} : { runTimeoutMs: flags.runTimeout * 1000 }),
    ...(flags.injectFault ? { faults: flags.injectFault } : {}),
    command,
  };
}
