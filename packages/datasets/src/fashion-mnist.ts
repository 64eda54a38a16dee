import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@xbackend/core/node';
import { ContentError } from './content-error.js';
import { DatasetError } from './dataset-error.js';
import { decodeFile } from './decode.js';
import { DownloadError, type DownloadProgress, download } from './download.js';
import { searchExplicitDir } from './explicit-dir.js';
import { type ExpectedContent, FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
import type { IdxArray } from './idx.js';
import type { ImageSet } from './image-set.js';
import { defaultCacheDir, findFile, isExplicit, type LocatedFile, type PlaceKind, type SearchResult, searchPlaces } from './locate.js';
import { fileKey, loadOnce, remember } from './memory-cache.js';
import { NODE_DECODE_RUNTIME } from './node-runtime.js';
import { type FashionMnistOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { badFileError, cacheWriteError, missingFileError, type SearchReport } from './problems.js';
import { createProgressBar } from './progress.js';

/** Where a file was read from: one of the searched places, or a fresh download (then saved at `path`). */
export interface FileSource {
  readonly path: string;
  readonly origin: PlaceKind | 'download';
  readonly url?: string;
}

export interface FashionMnist {
  readonly train: ImageSet;
  readonly test: ImageSet;
  readonly sources: Readonly<Record<FashionMnistFile, FileSource>>;
}

interface LoadedFile {
  readonly idx: IdxArray;
  readonly source: FileSource;
}

/**
 * Finds, downloads if needed, verifies and parses the four Fashion-MNIST files. The arrays are shared with later
 * loads of the same files in this process (see `memoryCache`), so treat them as read-only.
 */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<FashionMnist> {
  return loadWithResolvedOptions(resolveOptions(options));
}

export async function loadWithResolvedOptions(options: ResolvedOptions): Promise<FashionMnist> {
  const places = searchPlaces(options.places);
  const cacheDir = resolve(options.places.cacheDir ?? defaultCacheDir());
  const [explicit] = places.filter(isExplicit);
  const searches = explicit
    ? await searchExplicitDir(explicit)
    : await Promise.all(FASHION_MNIST_FILES.map((file) => findFile(file, places)));
  // Files on disk are decoded in parallel; downloads run one after the other, so one progress bar at a time.
  const found = await Promise.all(
    FASHION_MNIST_FILES.map((file, i) => {
      const search = searches[i] as SearchResult;
      return search.located ? readLocated(file, search.located, { places, outcomes: search.outcomes }, options) : undefined;
    }),
  );
  const loaded = {} as Record<FashionMnistFile, LoadedFile>;
  for (const [i, file] of FASHION_MNIST_FILES.entries()) {
    const search = searches[i] as SearchResult;
    loaded[file] = found[i] ?? (await downloadMissing(file, { places, outcomes: search.outcomes }, cacheDir, options));
  }
  const train = imageSet(loaded['train-images-idx3-ubyte'], loaded['train-labels-idx1-ubyte']);
  const test = imageSet(loaded['t10k-images-idx3-ubyte'], loaded['t10k-labels-idx1-ubyte']);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw mismatch(
      loaded['train-images-idx3-ubyte'],
      loaded['t10k-images-idx3-ubyte'],
      `training images are ${train.rows}×${train.cols} but test images are ${test.rows}×${test.cols}`,
    );
  }
  const sources = Object.fromEntries(FASHION_MNIST_FILES.map((file) => [file, loaded[file].source])) as Record<
    FashionMnistFile,
    FileSource
  >;
  return { train, test, sources };
}

async function readLocated(
  file: FashionMnistFile,
  located: LocatedFile,
  report: SearchReport,
  options: ResolvedOptions,
): Promise<LoadedFile> {
  const expected = options.checksums?.[file];
  const load = async (): Promise<IdxArray> => decodeFile(file, await readFile(located.path), expected, NODE_DECODE_RUNTIME);
  try {
    const idx = options.memoryCache ? await loadOnce(await fileKey(located.path, expected), load) : await load();
    return { idx, source: { path: located.path, origin: located.place.kind } };
  } catch (cause) {
    if (cause instanceof ContentError) throw badFileError(file, located, cause.problem, report, cause);
    if (isFsError(cause)) throw badFileError(file, located, `unreadable (${cause.message})`, report, cause);
    throw cause;
  }
}

async function downloadMissing(
  file: FashionMnistFile,
  search: SearchReport,
  cacheDir: string,
  options: ResolvedOptions,
): Promise<LoadedFile> {
  const url = new URL(`${file}.gz`, options.baseUrl);
  if (!options.download)
    throw missingFileError(
      file,
      { ...search, download: `download from ${url.href}: not tried (the download option is false)` },
      options.places.rootLabel,
    );
  const expected: ExpectedContent | undefined = options.checksums?.[file];
  const bar = options.progressStream ? createProgressBar(options.progressStream) : undefined;
  const onProgress = (progress: DownloadProgress): void => {
    bar?.update(progress);
    options.policy.onProgress?.(progress);
  };
  let body: Buffer | undefined;
  let idx: IdxArray;
  try {
    idx = await download(
      url,
      async (received) => {
        const decoded = await decodeFile(file, received, expected, NODE_DECODE_RUNTIME);
        body = received;
        return decoded;
      },
      { ...options.policy, onProgress },
    );
  } catch (cause) {
    if (!(cause instanceof DownloadError)) throw cause;
    const attempts = cause.attempts.length;
    const line = `download from ${url.href}: failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (${cause.attempts.join('; ')})`;
    throw missingFileError(file, { ...search, download: line }, options.places.rootLabel, cause);
  } finally {
    bar?.stop();
  }
  // Verified before it is written, and written atomically: the cache never holds a partial or unverified file.
  const path = join(cacheDir, `${file}.gz`);
  try {
    await writeFileAtomic(path, body as Buffer);
  } catch (cause) {
    throw cacheWriteError(file, cacheDir, cause);
  }
  if (options.memoryCache) remember(await fileKey(path, expected), idx);
  return { idx, source: { path, origin: 'download', url: url.href } };
}

function imageSet(images: LoadedFile, labels: LoadedFile): ImageSet {
  const [count = 0, rows = 0, cols = 0] = images.idx.dims;
  const labelCount = labels.idx.dims[0] ?? 0;
  if (labelCount !== count) throw mismatch(images, labels, `${count} images but ${labelCount} labels`);
  return { images: images.idx.data, labels: labels.idx.data, count, rows, cols };
}

function mismatch(a: LoadedFile, b: LoadedFile, what: string): DatasetError {
  return new DatasetError(
    `Fashion-MNIST files ${a.source.path} and ${b.source.path} do not belong together: ${what}.\n` +
      'How to fix: replace them with the four files of one Fashion-MNIST copy (sudo apt install dataset-fashion-mnist, ' +
      'or delete them from the cache so that they are downloaded again).',
  );
}

function isFsError(cause: unknown): cause is NodeJS.ErrnoException {
  return cause instanceof Error && typeof (cause as NodeJS.ErrnoException).code === 'string' && 'syscall' in cause;
}
