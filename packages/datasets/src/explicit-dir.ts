import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { FASHION_MNIST_FILES } from './files.js';
import { lookInPlace, type SearchPlace, type SearchResult } from './locate.js';
import { type DirectoryProblem, explicitDirError, explicitFilesError, type FileProblem } from './problems.js';

/**
 * A directory the user named (root option or FASHION_MNIST_DIR) is used on its own: never completed or replaced by
 * the cache, the Debian package or a download. Returns the search of each of the four files (in `FASHION_MNIST_FILES`
 * order; every one found there), or throws a DatasetError that says what is wrong with the directory or which files.
 */
export async function searchExplicitDir(place: SearchPlace): Promise<SearchResult[]> {
  const problem = await directoryProblem(place.dir);
  if (problem !== undefined) throw explicitDirError(place, problem);
  const found: SearchResult[] = [];
  const problems: FileProblem[] = [];
  for (const file of FASHION_MNIST_FILES) {
    const lookup = await lookInPlace(file, place);
    if (lookup.path === undefined) {
      const note = lookup.missing ? `${file}.gz: missing (and no uncompressed ${file})` : lookup.note;
      problems.push({ file, kind: lookup.missing ? 'missing' : 'unusable', note });
      continue;
    }
    const unreadable = await readProblem(lookup.path);
    if (unreadable === undefined) found.push({ located: { path: lookup.path, place }, outcomes: [{ place, note: lookup.note }] });
    else problems.push({ file, kind: 'unusable', note: `${basename(lookup.path)}: ${unreadable}` });
  }
  if (problems.length > 0) throw explicitFilesError(place, problems);
  return found;
}

async function directoryProblem(dir: string): Promise<DirectoryProblem | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return { kind: 'not-directory', note: 'is not a directory' };
  } catch (cause) {
    const code = errorCode(cause);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing', note: 'does not exist' };
    return { kind: 'unreadable', note: `exists but cannot be read (${code})` };
  }
  // Opening the files inside needs search permission on it, and so does looking up `.` in it; listing it is not needed.
  try {
    await stat(`${dir}/.`);
    return undefined;
  } catch (cause) {
    return { kind: 'unreadable', note: `exists but cannot be read (${errorCode(cause)})` };
  }
}

/**
 * `undefined` when this process can open `path` for reading, else why not. (Opening, not `access()`: that checks the
 * real user, while opening checks the effective one, as reading will.)
 */
async function readProblem(path: string): Promise<string | undefined> {
  try {
    await (await open(path, 'r')).close();
    return undefined;
  } catch (cause) {
    return `exists but cannot be read (${errorCode(cause)})`;
  }
}

function errorCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException).code ?? String(cause);
}
