import { InvalidArgumentError } from '@xbackend/core';
import { checkKnownKeys, describe, nonNegativeInteger, optionalBoolean } from './check.js';
import type { DownloadPolicy, DownloadProgress } from './download.js';
import { type ChecksumTable, FASHION_MNIST_CHECKSUMS, FASHION_MNIST_FILES, FASHION_MNIST_MIRROR } from './files.js';
import type { PlaceOptions } from './locate.js';

/** Where to look for Fashion-MNIST, whether and how to download it, and how to verify it. */
export interface FashionMnistOptions {
  /**
   * Directory with the four IDX files (`.gz` or uncompressed), used on its own: if it does not exist, cannot be read
   * or lacks a file, the load fails instead of using the cache, `systemDir` or a download. Default: `$FASHION_MNIST_DIR`.
   */
  root?: string;
  /**
   * How messages name `root` (default `the root option`); a command line passes its flag, e.g. `--data-dir`, so that
   * an error about the directory names what the user typed.
   */
  rootLabel?: string;
  /** Download cache. Default: `$XDG_CACHE_HOME/xbackend/fashion-mnist`, else `~/.cache/xbackend/fashion-mnist`. */
  cacheDir?: string;
  /** The Debian/Ubuntu package location. Default: `/usr/share/datasets/fashion-mnist`. */
  systemDir?: string;
  /** Download files found nowhere else into `cacheDir` (default true). */
  download?: boolean;
  /** Mirror serving `<file>.gz`. Default: the Fashion-MNIST README's mirror. */
  baseUrl?: string;
  /** A download attempt fails after this long without data (default 30 000). */
  timeoutMs?: number;
  /** Download attempts after the first (default 3). */
  retries?: number;
  /** Wait before the first retry, doubling after each (default 1000). */
  retryDelayMs?: number;
  /** Progress bar: `true` on stderr, or a stream. Default: on stderr only when stderr is a TTY. */
  progress?: boolean | NodeJS.WritableStream;
  onProgress?: (progress: DownloadProgress) => void;
  /** Expected content hashes; `false` skips hashing (the IDX structure is still checked). Default: Fashion-MNIST's. */
  checksums?: ChecksumTable | false;
  /** Keep parsed files in memory for later loads in this process (default true). */
  memoryCache?: boolean;
  signal?: AbortSignal;
}

export interface ResolvedOptions {
  readonly places: PlaceOptions;
  readonly download: boolean;
  readonly baseUrl: URL;
  readonly policy: DownloadPolicy;
  readonly progressStream: NodeJS.WritableStream | undefined;
  readonly checksums: ChecksumTable | undefined;
  readonly memoryCache: boolean;
}

export const FASHION_MNIST_OPTION_KEYS = [
  'root',
  'rootLabel',
  'cacheDir',
  'systemDir',
  'download',
  'baseUrl',
  'timeoutMs',
  'retries',
  'retryDelayMs',
  'progress',
  'onProgress',
  'checksums',
  'memoryCache',
  'signal',
] as const;

/** Validates `options` (unknown keys included, to catch typos) and fills in the defaults. */
export function resolveOptions(options: FashionMnistOptions, allowedKeys: readonly string[] = FASHION_MNIST_OPTION_KEYS): ResolvedOptions {
  checkKnownKeys(options, allowedKeys);
  const o = options;
  return {
    places: {
      root: optionalDir(o.root, 'root'),
      rootLabel: optionalLabel(o.rootLabel),
      cacheDir: optionalDir(o.cacheDir, 'cacheDir'),
      systemDir: optionalDir(o.systemDir, 'systemDir'),
    },
    download: optionalBoolean(o.download, 'download') ?? true,
    baseUrl: parseBaseUrl(o.baseUrl ?? FASHION_MNIST_MIRROR),
    policy: {
      timeoutMs: positiveNumber(o.timeoutMs ?? 30_000, 'timeoutMs'),
      retries: nonNegativeInteger(o.retries ?? 3, 'retries'),
      retryDelayMs: nonNegativeNumber(o.retryDelayMs ?? 1000, 'retryDelayMs'),
      signal: checkSignal(o.signal),
      onProgress: checkCallback(o.onProgress),
    },
    progressStream: progressStream(o.progress),
    checksums: checkChecksums(o.checksums),
    memoryCache: optionalBoolean(o.memoryCache, 'memoryCache') ?? true,
  };
}

function optionalDir(value: unknown, name: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    throw new InvalidArgumentError(`${name} must be a directory path, got ${describe(value)}.`);
  }
  return value;
}

function optionalLabel(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    throw new InvalidArgumentError(`rootLabel must be a non-empty string (e.g. '--data-dir'), got ${describe(value)}.`);
  }
  return value;
}

function positiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, got ${describe(value)}.`);
  }
  return value;
}

function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative number of milliseconds, got ${describe(value)}.`);
  }
  return value;
}

/** The base URL must be http(s); a missing trailing slash is added so that `<file>.gz` resolves below it. */
function parseBaseUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value.endsWith('/') ? value : `${value}/`) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidArgumentError(`baseUrl must be an http:// or https:// URL, got ${describe(value)}.`);
  }
  return url;
}

function progressStream(value: unknown): NodeJS.WritableStream | undefined {
  if (value === undefined) return process.stderr.isTTY ? process.stderr : undefined;
  if (value === true) return process.stderr;
  if (value === false) return undefined;
  if (typeof value === 'object' && value !== null && typeof (value as NodeJS.WritableStream).write === 'function') {
    return value as NodeJS.WritableStream;
  }
  throw new InvalidArgumentError(`progress must be true, false or a writable stream, got ${describe(value)}.`);
}

function checkCallback(value: unknown): ((progress: DownloadProgress) => void) | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new InvalidArgumentError(`onProgress must be a function, got ${describe(value)}.`);
  return value as ((progress: DownloadProgress) => void) | undefined;
}

function checkSignal(value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal))
    throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(value)}.`);
  return value;
}

function checkChecksums(value: unknown): ChecksumTable | undefined {
  if (value === false) return undefined;
  if (value === undefined) return FASHION_MNIST_CHECKSUMS;
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`checksums must be a table of { sha256, bytes? } per file, or false, got ${describe(value)}.`);
  }
  const table = value as Record<string, unknown>;
  for (const file of FASHION_MNIST_FILES) {
    const entry = table[file] as { sha256?: unknown; bytes?: unknown } | undefined;
    if (typeof entry?.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(entry.sha256)) {
      throw new InvalidArgumentError(`checksums['${file}'].sha256 must be 64 hex digits, got ${describe(entry?.sha256)}.`);
    }
    if (entry.bytes !== undefined) nonNegativeInteger(entry.bytes, `checksums['${file}'].bytes`);
  }
  return value as ChecksumTable;
}
