import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackendRegistry, defaultRegistry } from '@xbackend/core';
import type { BrowserMachine } from './browser-page.js';

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
  /** With browser rows: the browser they ran in (version, user agent), on this machine. */
  readonly browser?: BrowserMachine;
}

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

interface PackageManifest {
  readonly version?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

function manifestAt(dir: string | undefined): PackageManifest | undefined {
  if (!dir) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
  } catch {
    return undefined;
  }
}

function versionAt(dir: string | undefined): string | null {
  const version = manifestAt(dir)?.version;
  return typeof version === 'string' ? version : null;
}

/** The packages every bench runs on, besides the adapters. */
const BENCH_PACKAGES = ['@xbackend/core', '@xbackend/datasets'];

/**
 * Versions of core and datasets, of each adapter package of the registry, and of the frameworks behind each adapter:
 * its own runtime (and optional) dependencies, resolved from the adapter as the adapter itself loads them.
 * Registry entries that are paths or adapter objects have no package to look up.
 */
export function packageVersions(
  registry: BackendRegistry = defaultRegistry,
  benchDir: string = fileURLToPath(new URL('..', import.meta.url)),
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of BENCH_PACKAGES) out[name] = versionAt(packageDir(name, benchDir));
  for (const name of registry.names) {
    const source = registry.source(name);
    if (typeof source !== 'string' || !/^(@[\w.-]+\/)?[\w.-]+$/.test(source)) continue;
    const adapterDir = packageDir(source, benchDir);
    const manifest = manifestAt(adapterDir);
    out[source] = versionAt(adapterDir);
    const frameworks = Object.keys({ ...manifest?.dependencies, ...manifest?.optionalDependencies });
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

export function machineInfo(registry: BackendRegistry = defaultRegistry, cwd: string = process.cwd()): MachineInfo {
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
    packages: packageVersions(registry),
    ...(commit ? { gitCommit: commit } : {}),
    ...(status === undefined ? {} : { gitDirty: status !== '' }),
  };
}
