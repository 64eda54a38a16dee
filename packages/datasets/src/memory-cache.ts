import { stat } from 'node:fs/promises';
import type { ExpectedContent } from './files.js';
import type { IdxArray } from './idx.js';

/**
 * Parsed files of this process, keyed by path, size, mtime and expected hash: repeated loads (tests, CLI
 * sub-commands) skip reading, decompressing and hashing 47 MB, while a replaced file is read afresh.
 */
const parsed = new Map<string, Promise<IdxArray>>();

export async function fileKey(path: string, expected: ExpectedContent | undefined): Promise<string> {
  const info = await stat(path);
  return [path, info.size, info.mtimeMs, expected?.sha256.toLowerCase() ?? 'unverified'].join('\0');
}

/** Loads once per key; a failed load is forgotten so that a fixed file is picked up by the next call. */
export function loadOnce(key: string, load: () => Promise<IdxArray>): Promise<IdxArray> {
  const known = parsed.get(key);
  if (known) return known;
  const loading = load();
  parsed.set(key, loading);
  loading.catch(() => {
    if (parsed.get(key) === loading) parsed.delete(key);
  });
  return loading;
}

export function remember(key: string, value: IdxArray): void {
  parsed.set(key, Promise.resolve(value));
}

/** Drops every parsed file kept by earlier loads (the arrays stay valid for whoever holds them). */
export function clearFashionMnistMemoryCache(): void {
  parsed.clear();
}
