import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { type FashionMnistFile, SYSTEM_DATASET_DIR } from './files.js';

/** Where a directory in the search came from; also says how to fix a bad file found there. */
export type PlaceKind = 'root' | 'env' | 'cache' | 'system';

export interface SearchPlace {
  readonly kind: PlaceKind;
  readonly dir: string;
}

export interface LocatedFile {
  readonly path: string;
  readonly place: SearchPlace;
}

export interface PlaceOptions {
  readonly root?: string | undefined;
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
 * The directories to search, in order: the explicit one (`root`, else `$FASHION_MNIST_DIR`), the user cache,
 * the Debian/Ubuntu package location. A directory named twice is searched once, under its first role.
 */
export function searchPlaces(options: PlaceOptions, env: NodeJS.ProcessEnv = process.env): SearchPlace[] {
  const places: SearchPlace[] = [];
  const envDir = env.FASHION_MNIST_DIR;
  if (options.root !== undefined) places.push({ kind: 'root', dir: resolve(options.root) });
  else if (envDir) places.push({ kind: 'env', dir: resolve(envDir) });
  places.push({ kind: 'cache', dir: resolve(options.cacheDir ?? defaultCacheDir(env)) });
  places.push({ kind: 'system', dir: resolve(options.systemDir ?? SYSTEM_DATASET_DIR) });
  return places.filter((place, i) => places.findIndex((p) => p.dir === place.dir) === i);
}

export function describePlace(place: SearchPlace): string {
  switch (place.kind) {
    case 'root':
      return `${place.dir} (the root option)`;
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
    const notes: string[] = [];
    for (const name of [`${file}.gz`, file]) {
      const path = join(place.dir, name);
      const problem = await fileProblem(path);
      if (problem === undefined) {
        outcomes.push({ place, note: `found ${name}` });
        return { located: { path, place }, outcomes };
      }
      if (problem !== 'missing') notes.push(`${name}: ${problem}`);
    }
    outcomes.push({ place, note: notes.length > 0 ? notes.join('; ') : `no ${file}.gz or ${file}` });
  }
  return { located: undefined, outcomes };
}

/** `undefined` for a regular file, 'missing' when absent, else why it cannot be used. */
async function fileProblem(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? undefined : 'not a regular file';
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return `cannot be read (${code ?? String(cause)})`;
  }
}
