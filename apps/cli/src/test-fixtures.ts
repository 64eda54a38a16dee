import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
let tinyFixture: Promise<string> | undefined;

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

/** Where the fixture data is, for commands that take data flags only. */
export async function fixtureDataFlags(): Promise<string[]> {
  return ['--data-dir', await fixtureDataDir(), '--no-verify-data', '--no-download'];
}

/** Training flags: fixture data, batch 64, and the reference backend unless a test names another (a later --backend wins). */
export async function fixtureFlags(): Promise<string[]> {
  return ['--backend', 'reference', ...(await fixtureDataFlags()), '--batch-size', '64'];
}

/** LeNet's examples cost about 100× softmax's: its tests train on this, 96 training and 48 test examples. */
export const TINY = { train: 96, test: 48 } as const;

/** Where the tiny fixture data is, as data flags. */
export async function tinyDataFlags(): Promise<string[]> {
  tinyFixture ??= tempDir('xbackend-tiny-fixture-').then((dir) => writeSyntheticFashionMnist(dir, TINY));
  return ['--data-dir', await tinyFixture, '--no-verify-data', '--no-download'];
}

/** Training flags for LeNet: the tiny fixture in batches of 32 (3 steps an epoch), on the reference backend. */
export async function lenetFlags(): Promise<string[]> {
  return ['--backend', 'reference', '--model', 'lenet', ...(await tinyDataFlags()), '--batch-size', '32'];
}

/** The slice of onnxruntime-node's API the export tests use (the CLI does not depend on onnxruntime-node itself). */
export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] } | undefined>>;
  release(): Promise<void>;
}
export interface Ort {
  InferenceSession: { create(model: Uint8Array | string): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

/** onnxruntime-node as the onnxruntime adapter resolves it. */
export async function importOrt(): Promise<Ort | undefined> {
  const adapterDir = fileURLToPath(new URL('../../../packages/backend-onnxruntime/package.json', import.meta.url));
  try {
    return (await import(createRequire(adapterDir).resolve('onnxruntime-node'))) as Ort;
  } catch {
    return undefined;
  }
}
