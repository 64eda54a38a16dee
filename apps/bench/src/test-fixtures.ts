// Test helper (excluded from the build): a tiny Fashion-MNIST-shaped data set on disk and an in-process runner.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticFashionMnist } from '@xbackend/datasets';
import { afterAll } from 'vitest';
import { main } from './main.js';
import type { BenchReport } from './results.js';
import { BENCH_FILES } from './write-outputs.js';

const tempDirs: string[] = [];

export async function tempDir(prefix = 'xbackend-bench-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export const FIXTURE_TRAIN = 512;
export const FIXTURE_TEST = 128;

let fixture: Promise<string> | undefined;

/** The four gzipped IDX files (not the real data set, so runs pass --no-verify-data), shared by a test file. */
export function fixtureDataDir(): Promise<string> {
  fixture ??= tempDir('xbackend-bench-data-').then((dir) => writeSyntheticFashionMnist(dir, { train: FIXTURE_TRAIN, test: FIXTURE_TEST }));
  return fixture;
}

/** Flags for tiny work on the fixture: no download, no checksum, no progress noise. */
export async function fixtureFlags(): Promise<string[]> {
  return ['--data-dir', await fixtureDataDir(), '--no-verify-data', '--no-download', '--no-progress'];
}

export interface BenchRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `xbackend-bench ...args` in-process (the runs themselves still go to child processes). */
export async function runBenchCli(args: readonly string[]): Promise<BenchRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'xbackend-bench', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** The bench.json a run wrote into `out`. */
export async function readReport(out: string): Promise<BenchReport> {
  return JSON.parse(await readFile(join(out, BENCH_FILES.json), 'utf8')) as BenchReport;
}
