import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a number in the report was measured on. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical cores this process may use (os.availableParallelism). */
  readonly cores: number;
  readonly memoryBytes: number;
  readonly platform: string;
  readonly osRelease: string;
  readonly arch: string;
  readonly node: string;
  readonly v8: string;
  /** 1/5/15-minute load averages when the bench started: other work on the machine skews timings. */
  readonly loadAverage: readonly number[];
  /** Installed versions of the xbackend packages and of the frameworks behind them (null: not installed). */
  readonly packages: Readonly<Record<string, string | null>>;
  /** `git rev-parse HEAD` of the working directory, when it is a git checkout. */
  readonly gitCommit?: string;
  /** The checkout had uncommitted changes, so the commit alone does not reproduce the code measured. */
  readonly gitDirty?: boolean;
}

/** Each adapter package and the framework packages it runs on. */
const FRAMEWORKS: Readonly<Record<string, readonly string[]>> = {
  '@xbackend/core': [],
  '@xbackend/datasets': [],
  '@xbackend/backend-reference': [],
  '@xbackend/backend-onnxruntime': ['onnxruntime-node'],
  '@xbackend/backend-tfjs': [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-layers',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
  ],
  '@xbackend/backend-gpujs': ['gpu.js', 'gl'],
};

/**
 * The directory of package `name` as Node would find it from `fromDir` (walking up through node_modules), found by
 * path rather than by `require.resolve`, which a package's `exports` may forbid for package.json.
 */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

function versionAt(dir: string | undefined): string | null {
  if (!dir) return null;
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

export function packageVersions(benchDir: string = fileURLToPath(new URL('..', import.meta.url))): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [adapter, frameworks] of Object.entries(FRAMEWORKS)) {
    const adapterDir = packageDir(adapter, benchDir);
    out[adapter] = versionAt(adapterDir);
    // Frameworks resolve from their adapter, as the adapter itself would load them.
    for (const framework of frameworks) out[framework] = adapterDir ? versionAt(packageDir(framework, adapterDir)) : null;
  }
  return out;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(cwd: string = process.cwd()): MachineInfo {
  const cpus = os.cpus();
  const commit = git(cwd, ['rev-parse', 'HEAD']) || undefined;
  const status = commit ? git(cwd, ['status', '--porcelain', '--untracked-files=no']) : undefined;
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    platform: process.platform,
    osRelease: os.release(),
    arch: process.arch,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    packages: packageVersions(),
    ...(commit ? { gitCommit: commit } : {}),
    ...(status === undefined ? {} : { gitDirty: status !== '' }),
  };
}
