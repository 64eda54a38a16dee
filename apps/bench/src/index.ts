export { type BenchOptions, checkBenchOptions, DEFAULTS } from './bench-options.js';
export { type BenchIO, main } from './main.js';
export type { DataSpec, EpochRecord, FaultKind, Phase, ProgressMessage, RunKind, RunMeasurement } from './protocol.js';
export { reportMarkdown, resultTables } from './report-md.js';
export type { BenchReport, BenchRow, BenchSettings, RunRecord } from './results.js';
export { type BenchEvent, type BenchHooks, type BenchResult, runBench } from './run-bench.js';
export type { Target } from './targets.js';
export { BENCH_FILES } from './write-outputs.js';
