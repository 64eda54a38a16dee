import { InvalidArgumentError } from '@xbackend/core';
import { checkKnownKeys, describe, optionalBoolean } from './check.js';
import { ContentError } from './content-error.js';
import { DatasetError } from './dataset-error.js';
import { decodeFile, isGzip } from './decode.js';
import { type ChecksumTable, type ExpectedContent, FASHION_MNIST_CHECKSUMS, FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
import type { IdxArray } from './idx.js';
import type { ImageSet } from './image-set.js';
import { WEB_DECODE_RUNTIME } from './web-runtime.js';

/** Where the browser entry reads Fashion-MNIST from, and whether it keeps a copy. */
export interface WebFashionMnistOptions {
  /**
   * Folder URL serving the four `<file>.gz` files (gzip'd or not). Default: `data/fashion-mnist/` below the page
   * (`document.baseURI`); a worker has no page, so there it is below the origin's root unless given.
   */
  baseUrl?: string | URL;
  /** Expected content hashes; `false` skips hashing (the IDX structure is still checked). Default: Fashion-MNIST's. */
  checksums?: ChecksumTable | false;
  /** Keep verified files in Cache Storage, so that a reload reads them from there instead of the network (default true). */
  cache?: boolean;
  onProgress?: (progress: WebLoadProgress) => void;
  signal?: AbortSignal;
}

export interface WebLoadProgress {
  readonly file: FashionMnistFile;
  readonly receivedBytes: number;
  /** From Content-Length; undefined when the server does not say. */
  readonly totalBytes: number | undefined;
  readonly origin: 'network' | 'cache';
}

/** Where a file was read from: the network (then stored in the cache when allowed) or the page's Cache Storage. */
export interface WebFileSource {
  readonly url: string;
  readonly origin: 'network' | 'cache';
}

export interface WebFashionMnist {
  readonly train: ImageSet;
  readonly test: ImageSet;
  readonly sources: Readonly<Record<FashionMnistFile, WebFileSource>>;
}

export const WEB_OPTION_KEYS = ['baseUrl', 'checksums', 'cache', 'onProgress', 'signal'] as const;

/** The Cache Storage calls made here, typed structurally (this package compiles without the DOM library). */
interface FileCache {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
  delete(key: string): Promise<boolean>;
}
const platform = globalThis as {
  caches?: { open(name: string): Promise<FileCache> };
  document?: { baseURI: string };
  location?: { href: string; origin: string };
};

/** Bumped when what is stored changes shape, so that an old page's entries are not misread. */
const CACHE_NAME = 'xbackend-fashion-mnist-v1';
const FILE_LIST = FASHION_MNIST_FILES.map((f) => `${f}.gz`).join(', ');

interface Loaded {
  readonly idx: IdxArray;
  readonly source: WebFileSource;
}

/** Files decoded in this page or worker, by URL and expected hash: a second Train in the same page reads nothing. */
const decoded = new Map<string, Promise<Loaded>>();

function defaultBaseUrl(): URL {
  const base = platform.document?.baseURI ?? (platform.location ? `${platform.location.origin}/` : undefined);
  if (!base) throw new InvalidArgumentError('baseUrl is required here: there is no page to resolve data/fashion-mnist/ against.');
  return new URL('data/fashion-mnist/', base);
}

function parseBaseUrl(value: unknown): URL {
  if (value === undefined) return defaultBaseUrl();
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new InvalidArgumentError(`baseUrl must be a URL or a string, got ${describe(value)}.`);
  }
  const text = String(value);
  try {
    return new URL(text.endsWith('/') ? text : `${text}/`, platform.document?.baseURI ?? platform.location?.href);
  } catch {
    throw new InvalidArgumentError(`baseUrl must be a URL (absolute, or relative to the page), got ${describe(value)}.`);
  }
}

function checksumsOf(value: unknown): ChecksumTable | undefined {
  if (value === false) return undefined;
  if (value === undefined) return FASHION_MNIST_CHECKSUMS;
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`checksums must be a table of { sha256, bytes? } per file, or false, got ${describe(value)}.`);
  }
  return value as ChecksumTable;
}

function howToServe(base: URL): string {
  return (
    'How to fix:\n' +
    `  - serve the four files (${FILE_LIST}) under ${base.href}; the xbackend playground's server takes them from ` +
    '/usr/share/datasets/fashion-mnist (sudo apt install dataset-fashion-mnist) or ~/.cache/xbackend/fashion-mnist\n' +
    '  - or point baseUrl at the folder that serves them'
  );
}

function fetchError(file: FashionMnistFile, url: URL, base: URL, what: string, cause?: unknown): DatasetError {
  return new DatasetError(
    `Fashion-MNIST file ${file}.gz ${what} (${url.href}).\n${howToServe(base)}`,
    cause === undefined ? undefined : { cause },
  );
}

async function readBody(response: Response, file: FashionMnistFile, onProgress: WebFashionMnistOptions['onProgress']): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(length) && length > 0 ? length : undefined;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    receivedBytes += value.length;
    onProgress?.({ file, receivedBytes, totalBytes, origin: 'network' });
  }
  const body = new Uint8Array(receivedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

async function openCache(enabled: boolean, expected: ExpectedContent | undefined): Promise<FileCache | undefined> {
  // Only verified content is worth keeping; Cache Storage exists only on secure pages (https, localhost).
  if (!enabled || !expected || !platform.caches) return undefined;
  try {
    return await platform.caches.open(CACHE_NAME);
  } catch {
    return undefined; // e.g. storage disabled for this page: load from the network every time
  }
}

/** From Cache Storage when a verified copy is there, else from the network (then stored, decompressed and verified). */
async function loadFile(
  file: FashionMnistFile,
  base: URL,
  options: Required<Pick<WebFashionMnistOptions, 'cache'>> & WebFashionMnistOptions,
): Promise<Loaded> {
  const url = new URL(`${file}.gz`, base);
  const expected = checksumsOf(options.checksums)?.[file];
  const cache = await openCache(options.cache, expected);
  const key = expected ? `${url.href}?sha256=${expected.sha256.toLowerCase()}` : url.href;
  const cached = await cache?.match(key);
  if (cached) {
    try {
      const idx = await decodeFile(file, new Uint8Array(await cached.arrayBuffer()), expected, WEB_DECODE_RUNTIME);
      options.onProgress?.({ file, receivedBytes: idx.data.length, totalBytes: idx.data.length, origin: 'cache' });
      return { idx, source: { url: url.href, origin: 'cache' } };
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      await cache?.delete(key); // a damaged entry: fetch the file again
    }
  }
  let response: Response;
  try {
    response = await fetch(url, options.signal ? { signal: options.signal } : {});
  } catch (cause) {
    options.signal?.throwIfAborted();
    throw fetchError(file, url, base, `could not be fetched: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
  }
  if (response.status === 404) throw fetchError(file, url, base, 'was not found on the server (HTTP 404)');
  if (!response.ok) throw fetchError(file, url, base, `could not be fetched: HTTP ${response.status} ${response.statusText}`);
  const body = await readBody(response, file, options.onProgress);
  let idx: IdxArray;
  let content: Uint8Array;
  try {
    content = isGzip(body) ? await WEB_DECODE_RUNTIME.gunzip(body) : body;
    idx = await decodeFile(file, content, expected, WEB_DECODE_RUNTIME);
  } catch (cause) {
    if (!(cause instanceof ContentError)) throw cause;
    throw new DatasetError(
      `Fashion-MNIST file ${url.href} (${file}) is ${cause.problem}.\nHow to fix:\n` +
        '  - replace it on the server with an intact copy (sudo apt install --reinstall dataset-fashion-mnist, or delete ' +
        `~/.cache/xbackend/fashion-mnist/${file}.gz so that the Node loader downloads it again)`,
      { cause },
    );
  }
  // Stored decompressed and verified, so a reload skips the network and the gunzip (and still checks the hash).
  await cache?.put(key, new Response(content as Uint8Array<ArrayBuffer>)).catch(() => undefined);
  return { idx, source: { url: url.href, origin: 'network' } };
}

function pair(images: Loaded, labels: Loaded, name: string): ImageSet {
  const [count = 0, rows = 0, cols = 0] = images.idx.dims;
  const labelCount = labels.idx.dims[0] ?? 0;
  if (labelCount !== count) {
    throw new DatasetError(
      `Fashion-MNIST ${name} files ${images.source.url} and ${labels.source.url} do not belong together: ${count} images but ${labelCount} labels.\n` +
        'How to fix: serve the four files of one Fashion-MNIST copy.',
    );
  }
  return { images: images.idx.data, labels: labels.idx.data, count, rows, cols };
}

/**
 * The browser's `loadFashionMnist`: fetches the four files from the page's server (or Cache Storage), unpacks them
 * with DecompressionStream and verifies them with crypto.subtle. Arrays are shared with later loads in this page.
 */
export async function loadFashionMnist(options: WebFashionMnistOptions = {}): Promise<WebFashionMnist> {
  checkKnownKeys(options, WEB_OPTION_KEYS);
  const base = parseBaseUrl(options.baseUrl);
  const cache = optionalBoolean(options.cache, 'cache') ?? true;
  const checksums = checksumsOf(options.checksums);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidArgumentError(`onProgress must be a function, got ${describe(options.onProgress)}.`);
  }
  const loaded = await Promise.all(
    FASHION_MNIST_FILES.map((file) => {
      const key = `${new URL(`${file}.gz`, base).href}\0${checksums?.[file]?.sha256 ?? 'unverified'}`;
      let loading = decoded.get(key);
      if (!loading) {
        loading = loadFile(file, base, { ...options, cache });
        decoded.set(key, loading);
        loading.catch(() => decoded.delete(key)); // a fixed file is picked up by the next call
      }
      return loading;
    }),
  );
  const [trainImages, trainLabels, testImages, testLabels] = loaded as [Loaded, Loaded, Loaded, Loaded];
  const train = pair(trainImages, trainLabels, 'training');
  const test = pair(testImages, testLabels, 'test');
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DatasetError(
      `Fashion-MNIST training images are ${train.rows}×${train.cols} but test images ${test.rows}×${test.cols} (${base.href}).\n` +
        'How to fix: serve the four files of one Fashion-MNIST copy.',
    );
  }
  const sources = Object.fromEntries(FASHION_MNIST_FILES.map((file, i) => [file, (loaded[i] as Loaded).source]));
  return { train, test, sources: sources as Record<FashionMnistFile, WebFileSource> };
}
