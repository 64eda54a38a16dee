import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendRegistry } from '@xbackend/core';
import { writeSyntheticFashionMnist } from '@xbackend/datasets';
import { afterAll } from 'vitest';
import { type CliIO, main } from './main.js';

const tempDirs: string[] = [];

export async function tempDir(prefix = 'xbackend-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

let fixture: Promise<string> | undefined;

/** One fixture data directory shared by the tests of a file. */
export function fixtureDataDir(): Promise<string> {
  fixture ??= tempDir('xbackend-fixture-').then((dir) => writeSyntheticFashionMnist(dir));
  return fixture;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `xbackend ...args` in-process, capturing what it prints. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; signal?: AbortSignal; registry?: BackendRegistry } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
  };
  const code = await main(['node', 'xbackend', ...args], io);
  return { code, stdout, stderr };
}

/** The flags every training test needs: fixture data, small batches, no progress noise. */
/** Where the fixture data is, for commands that take data flags only. */
export async function fixtureDataFlags(): Promise<string[]> {
  return ['--data-dir', await fixtureDataDir(), '--no-verify-data', '--no-download'];
}

/** Training flags: fixture data, batch 64, and the reference backend unless a test names another (a later --backend wins). */
export async function fixtureFlags(): Promise<string[]> {
  return ['--backend', 'reference', ...(await fixtureDataFlags()), '--batch-size', '64'];
}
