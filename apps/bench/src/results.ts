import type { BenchOptions, BenchTraining } from './bench-options.js';
import type { MachineInfo } from './machine.js';
import { IDIOMATIC_BACKEND, IDIOMATIC_ENGINES_OF } from './measure-idiomatic.js';
import type { EpochSplit, RunKind, RunMeasurement } from './protocol.js';
import { median, type Summary, summarize } from './stats.js';
import { floorOf, REFERENCE_BASELINE, type Target } from './targets.js';

/** One child run (one repeat of one target at one batch size), as bench.json keeps it. */
export interface RunRecord {
  readonly target: string;
  readonly batchSize: number;
  /** 1-based. */
  readonly repeat: number;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  /** The child's numbers, with the step times summarised rather than listed. */
  readonly measurement?: Omit<RunMeasurement, 'stepMs'> & { readonly stepMs: Summary | null };
}

/** One table row: a target at a batch size, over all its repeats. Times in milliseconds. */
export interface BenchRow {
  readonly target: string;
  readonly kind: RunKind;
  readonly baseline: boolean;
  readonly batchSize: number;
  /** `failed` when any repeat failed; the numbers then come from the repeats that did not. */
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  /** Repeats that produced numbers. */
  readonly okRepeats: number;
  /** As reported by the backend (engine, dtype, provider, threads, versions...). */
  readonly engine?: string;
  readonly dtype?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /** An epoch is its training pass plus the test evaluation; over every measured epoch of every repeat. */
  readonly epochMs?: { readonly median: number; readonly min: number; readonly max: number; readonly count: number };
  /** Median of the training pass alone. */
  readonly trainMs?: number;
  /** Adapter rows: the median of each part of the measured epochs (see `EpochSplit`). */
  readonly split?: EpochSplit;
  /**
   * Adapter rows: the share of an epoch (plus its writes) spent outside the framework's calls: drawing batches, core's
   * loop and the per-epoch writes, `(data + other + write) / (epoch + write)`, from the split's medians.
   */
  readonly outsideShare?: number;
  /** Training examples per second at the median epoch time. */
  readonly samplesPerSecond?: number;
  /** Every measured trainStep of every repeat; null for the idiomatic baseline (tfjs owns its loop). */
  readonly stepMs?: Summary | null;
  /** Median over repeats of the first trainStep (kernel compilation / JIT). */
  readonly firstStepMs?: number;
  /** Median of one full test-set evaluation. */
  readonly evalMs?: number;
  /** Median of loadBackend + compile with the initial weights. */
  readonly buildMs?: number;
  /** Largest peak RSS of the repeats' child processes (browser rows: none). */
  readonly peakRssBytes?: number;
  /** After the last epoch of the first repeat (every repeat computes the same numbers). */
  readonly trainLoss?: number;
  readonly trainAcc?: number;
  readonly testAcc?: number;
  /** Median epoch time over the fastest row's, at this batch size. */
  readonly vsFastest?: number;
  /** Median epoch time over reference/float32's, at this batch size. */
  readonly vsReference?: number;
  /** For tfjs/<engine>: median epoch time over tfjs-idiomatic/<engine>'s. */
  readonly vsIdiomatic?: number;
  /** For an adapter whose framework has a floor row: median epoch time over the floor's (the adapter's overhead). */
  readonly vsFloor?: number;
}

/** The options that shape the measured work, as recorded in bench.json (model, lr and init with their defaults filled in). */
export type BenchSettings = Pick<
  BenchOptions,
  'epochs' | 'warmupEpochs' | 'batchSizes' | 'repeat' | 'seed' | 'threads' | 'spinning' | 'data'
> &
  BenchTraining & {
    /** The model's layers, e.g. `Sequential(Flatten, Linear(784, 10))`. */
    readonly architecture: string;
  };

/** Everything bench.json holds. */
export interface BenchReport {
  readonly format: 'xbackend-bench';
  readonly version: 1;
  readonly createdAt: string;
  /** The command line, for reproducing the run. */
  readonly command: string;
  readonly settings: BenchSettings;
  readonly machine: MachineInfo;
  readonly skipped: readonly { readonly label: string; readonly reason: string }[];
  readonly rows: readonly BenchRow[];
  readonly runs: readonly RunRecord[];
}

export function toRecord(
  target: string,
  batchSize: number,
  repeat: number,
  outcome: { ok: true; measurement: RunMeasurement } | { ok: false; error: string },
): RunRecord {
  if (!outcome.ok) return { target, batchSize, repeat, status: 'failed', error: outcome.error };
  const { stepMs, ...rest } = outcome.measurement;
  return { target, batchSize, repeat, status: 'ok', measurement: { ...rest, stepMs: stepMs.length > 0 ? summarize(stepMs) : null } };
}

/** Step times are pooled across repeats from the raw values, which bench.json does not keep. */
function aggregate(target: Target, batchSize: number, records: readonly RunRecord[], rawSteps: readonly number[]): BenchRow {
  const failure = records.find((r) => r.status === 'failed');
  const ok = records.flatMap((r) => (r.measurement ? [r.measurement] : []));
  const base = {
    target: target.label,
    kind: target.kind,
    baseline: target.baseline,
    batchSize,
    status: failure ? ('failed' as const) : ('ok' as const),
    ...(failure?.error ? { error: failure.error } : {}),
    okRepeats: ok.length,
  };
  const first = ok[0];
  if (!first) return base;
  const measured = ok.flatMap((m) => m.epochs.filter((e) => !e.warmup));
  const epochTimes = measured.map((e) => e.trainMs + e.evalMs);
  const splits = measured.flatMap((e) => (e.split ? [e.split] : []));
  const split = splits.length > 0 ? medianSplit(splits) : undefined;
  const last = first.epochs.at(-1);
  const firstSteps = ok.flatMap((m) => (m.firstStepMs === undefined ? [] : [m.firstStepMs]));
  const peaks = ok.flatMap((m) => (m.peakRssBytes === undefined ? [] : [m.peakRssBytes]));
  const epochMs =
    epochTimes.length > 0
      ? { median: median(epochTimes), min: Math.min(...epochTimes), max: Math.max(...epochTimes), count: epochTimes.length }
      : undefined;
  return {
    ...base,
    engine: first.engine,
    dtype: first.dtype,
    details: first.details,
    ...(epochMs ? { epochMs, samplesPerSecond: first.numTrainExamples / (epochMs.median / 1000) } : {}),
    ...(measured.length > 0 ? { trainMs: median(measured.map((e) => e.trainMs)) } : {}),
    ...(split && epochMs ? { split, outsideShare: (split.data + split.other + split.write) / (epochMs.median + split.write) } : {}),
    stepMs: rawSteps.length > 0 ? summarize(rawSteps) : null,
    ...(firstSteps.length > 0 ? { firstStepMs: median(firstSteps) } : {}),
    ...(measured.length > 0 ? { evalMs: median(measured.map((e) => e.evalMs)) } : {}),
    buildMs: median(ok.map((m) => m.buildMs)),
    ...(peaks.length > 0 ? { peakRssBytes: Math.max(...peaks) } : {}),
    ...(last ? { trainLoss: last.trainLoss, trainAcc: last.trainAcc, testAcc: last.testAcc } : {}),
  };
}

/** The median of each part over `splits`. */
function medianSplit(splits: readonly EpochSplit[]): EpochSplit {
  const part = (key: keyof EpochSplit) => median(splits.map((s) => s[key]));
  return {
    data: part('data'),
    compute: part('compute'),
    read: part('read'),
    eval: part('eval'),
    other: part('other'),
    write: part('write'),
  };
}

/** Adds the ratios, which compare rows of the same batch size. */
function withRatios(rows: readonly BenchRow[]): BenchRow[] {
  return rows.map((row) => {
    const time = row.epochMs?.median;
    if (time === undefined) return row;
    const peers = rows.filter((r) => r.batchSize === row.batchSize && r.epochMs !== undefined);
    const timeOf = (label: string) => peers.find((r) => r.target === label)?.epochMs?.median;
    const fastest = Math.min(...peers.map((r) => r.epochMs?.median as number));
    const reference = timeOf(REFERENCE_BASELINE);
    const [backend, engine] = row.target.split('/');
    const idiomatic = row.kind === 'adapter' && backend === IDIOMATIC_ENGINES_OF ? timeOf(`${IDIOMATIC_BACKEND}/${engine}`) : undefined;
    const floorLabel = row.kind === 'adapter' ? floorOf(row.target) : undefined;
    const floor = floorLabel === undefined ? undefined : timeOf(floorLabel);
    return {
      ...row,
      vsFastest: time / fastest,
      ...(reference === undefined ? {} : { vsReference: time / reference }),
      ...(idiomatic === undefined ? {} : { vsIdiomatic: time / idiomatic }),
      ...(floor === undefined ? {} : { vsFloor: time / floor }),
    };
  });
}

/** Collects the runs of a bench into rows, one per (target, batch size), in target order within each batch size. */
export class ResultTable {
  private readonly records: RunRecord[] = [];
  private readonly steps = new Map<string, number[]>();

  add(target: Target, batchSize: number, repeat: number, outcome: Parameters<typeof toRecord>[3]): RunRecord {
    const record = toRecord(target.label, batchSize, repeat, outcome);
    this.records.push(record);
    if (outcome.ok) {
      const key = `${target.label}@${batchSize}`;
      this.steps.set(key, [...(this.steps.get(key) ?? []), ...outcome.measurement.stepMs]);
    }
    return record;
  }

  get runs(): readonly RunRecord[] {
    return this.records;
  }

  rows(targets: readonly Target[], batchSizes: readonly number[]): BenchRow[] {
    const rows: BenchRow[] = [];
    for (const batchSize of batchSizes) {
      for (const target of targets) {
        const records = this.records.filter((r) => r.target === target.label && r.batchSize === batchSize);
        if (records.length > 0) rows.push(aggregate(target, batchSize, records, this.steps.get(`${target.label}@${batchSize}`) ?? []));
      }
    }
    return withRatios(rows);
  }
}
