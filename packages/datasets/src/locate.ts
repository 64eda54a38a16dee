import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type FashionMnistFile, SYSTEM_DATASET_DIR } from './files.js';

/** Where a directory in the search came from; also says how to fix a bad file found there. */
export type PlaceKind = 'root' | 'env' | 'cache' | 'system';

export interface SearchPlace {
  readonly kind: PlaceKind;
  readonly dir: string;
  /** How messages name a `root` place (the option's `rootLabel`); default `the root option`. */
  readonly label?: string;
}

export const DEFAULT_ROOT_LABEL = 'the root option';

export interface LocatedFile {
  readonly path: string;
  readonly place: SearchPlace;
}

export interface PlaceOptions {
  readonly root?: string | undefined;
  readonly rootLabel?: string | undefined;
  readonly cacheDir?: string | undefined;
  readonly systemDir?: string | undefined;
}

/** `$XDG_CACHE_HOME/xbackend/fashion-mnist`, else `~/.cache/xbackend/fashion-mnist` (XDG base directory spec). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'xbackend', 'fashion-mnist');
}

/**
 * The directories to search, in order. A directory the user named (`root`, else `$FASHION_MNIST_DIR`) is searched
 * alone: its files are used or the load fails (`searchExplicitDir`), so that a typo or a permission problem is
 * reported rather than hidden by another copy. Otherwise: the user cache, then the Debian/Ubuntu package location
 * (a directory named twice is searched once, under its first role).
 */
export function searchPlaces(options: PlaceOptions, env: NodeJS.ProcessEnv = process.env): SearchPlace[] {
  const envDir = env.FASHION_MNIST_DIR;
  if (options.root !== undefined) {
    return [{ kind: 'root', dir: resolve(options.root), ...(options.rootLabel === undefined ? {} : { label: options.rootLabel }) }];
  }
  if (envDir) return [{ kind: 'env', dir: resolve(envDir) }];
  const places: SearchPlace[] = [
    { kind: 'cache', dir: resolve(options.cacheDir ?? defaultCacheDir(env)) },
    { kind: 'system', dir: resolve(options.systemDir ?? SYSTEM_DATASET_DIR) },
  ];
  return places.filter((place, i) => places.findIndex((p) => p.dir === place.dir) === i);
}

/** Whether the user named this directory (the root option or FASHION_MNIST_DIR) rather than it being a default. */
export function isExplicit(place: SearchPlace): boolean {
  return place.kind === 'root' || place.kind === 'env';
}

export function describePlace(place: SearchPlace): string {
  switch (place.kind) {
    case 'root':
      return `${place.dir} (${place.label ?? DEFAULT_ROOT_LABEL})`;
    case 'env':
      return `${place.dir} (FASHION_MNIST_DIR)`;
    case 'cache':
      return `${place.dir} (user cache)`;
    case 'system':
      return `${place.dir} (Debian/Ubuntu package dataset-fashion-mnist)`;
  }
}

/** What looking in one place found; `note` says why a place was passed over, for the error message. */
export interface PlaceOutcome {
  readonly place: SearchPlace;
  readonly note: string;
}

export interface SearchResult {
  readonly located: LocatedFile | undefined;
  /** Every place looked at, in order, up to and including the one that had the file. */
  readonly outcomes: readonly PlaceOutcome[];
}

/** First `<file>.gz`, else uncompressed `<file>`, in the first place that has one. */
export async function findFile(file: FashionMnistFile, places: readonly SearchPlace[]): Promise<SearchResult> {
  const outcomes: PlaceOutcome[] = [];
  for (const place of places) {
    const lookup = await lookInPlace(file, place);
    outcomes.push({ place, note: lookup.note });
    if (lookup.path !== undefined) return { located: { path: lookup.path, place }, outcomes };
  }
  return { located: undefined, outcomes };
}

export interface PlaceLookup {
  /** The file to read, if one of the two names is a regular file there. */
  readonly path: string | undefined;
  /** Neither name exists there at all (as opposed to: exists but cannot be used). */
  readonly missing: boolean;
  /** What was found, or why nothing there can be used, e.g. `t10k-labels-idx1-ubyte.gz: not a regular file`. */
  readonly note: string;
}

/** `<file>.gz`, else uncompressed `<file>`, in one place. */
export async function lookInPlace(file: FashionMnistFile, place: SearchPlace): Promise<PlaceLookup> {
  const notes: string[] = [];
  for (const name of [`${file}.gz`, file]) {
    const path = join(place.dir, name);
    const problem = await fileProblem(path);
    if (problem === undefined) return { path, missing: false, note: `found ${name}` };
    if (problem !== 'missing') notes.push(`${name}: ${problem}`);
  }
  if (notes.length > 0) return { path: undefined, missing: false, note: notes.join('; ') };
  return { path: undefined, missing: true, note: `no ${file}.gz or ${file}` };
}

/** `undefined` for a regular file, 'missing' when absent, else why it cannot be used. */
async function fileProblem(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? undefined : 'not a regular file';
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return `exists but cannot be read (${code ?? String(cause)})`;
  }
}
