import { join } from 'node:path';
import { DatasetError } from './dataset-error.js';
import { FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
import { DEFAULT_ROOT_LABEL, describePlace, type LocatedFile, type PlaceOutcome, type SearchPlace } from './locate.js';

/** How the search for one file went, for the error message: every place and what was there, then the download. */
export interface SearchReport {
  readonly places: readonly SearchPlace[];
  readonly outcomes: readonly PlaceOutcome[];
  /** One line about the download step, when it was reached. */
  readonly download?: string;
}

/** What is wrong with a directory the user named, e.g. `does not exist`. */
export interface DirectoryProblem {
  readonly kind: 'missing' | 'not-directory' | 'unreadable';
  readonly note: string;
}

/** Why one of the four files in a directory the user named cannot be used. */
export interface FileProblem {
  readonly file: FashionMnistFile;
  readonly kind: 'missing' | 'unusable';
  readonly note: string;
}

const FILE_LIST = FASHION_MNIST_FILES.map((f) => `${f}.gz`).join(', ');
const ON_ITS_OWN = 'A directory named explicitly is used on its own: the cache, the Debian package and downloads are not tried instead.';

/** The directory the user named does not exist, is not a directory, or cannot be read. */
export function explicitDirError(place: SearchPlace, problem: DirectoryProblem): DatasetError {
  const fix = {
    missing: `check the path for a typo, or create it and put the four files in it: ${FILE_LIST}`,
    'not-directory': 'name the directory that holds the four files, not a file',
    unreadable: `let this user search and read it, e.g. chmod a+rx ${place.dir}`,
  }[problem.kind];
  return new DatasetError(
    `Fashion-MNIST directory ${describePlace(place)} ${problem.note}.\n${ON_ITS_OWN}\n${howToFix([fix, insteadOfExplicit(place)])}`,
  );
}

/** Files are missing from the directory the user named, or there but unusable (unreadable, not a regular file). */
export function explicitFilesError(place: SearchPlace, problems: readonly FileProblem[]): DatasetError {
  const missing = problems.filter((p) => p.kind === 'missing').map((p) => `${p.file}.gz`);
  const fixes: string[] = [];
  if (missing.length > 0) fixes.push(`put ${missing.join(', ')} into ${place.dir} (gzip'd as on the mirror, or uncompressed)`);
  if (missing.length < problems.length) {
    fixes.push(
      `fix the files that exist but cannot be used: each must be a regular file this user can read (chmod a+r ${join(place.dir, '*')})`,
    );
  }
  fixes.push(insteadOfExplicit(place));
  const lines = problems.map((p) => `  - ${p.note}`).join('\n');
  return new DatasetError(`Fashion-MNIST directory ${describePlace(place)} cannot be used:\n${lines}\n${ON_ITS_OWN}\n${howToFix(fixes)}`);
}

/** The file is nowhere and could not be downloaded; `rootLabel` names the root option as the caller's user knows it. */
export function missingFileError(
  file: FashionMnistFile,
  report: SearchReport,
  rootLabel: string = DEFAULT_ROOT_LABEL,
  cause?: unknown,
): DatasetError {
  const fixes = [
    'install the Debian/Ubuntu package: sudo apt install dataset-fashion-mnist',
    `set FASHION_MNIST_DIR (or ${rootLabel}) to a directory holding ${FILE_LIST}`,
    'or let xbackend download it: allow downloads (download: true), check the network, or set baseUrl to another Fashion-MNIST mirror',
  ];
  return new DatasetError(
    `Fashion-MNIST file ${file}.gz was not found.\n${searched(report)}\n${howToFix(fixes)}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The file was found but is truncated, corrupt or not IDX. */
export function badFileError(
  file: FashionMnistFile,
  located: LocatedFile,
  problem: string,
  report: SearchReport,
  cause: unknown,
): DatasetError {
  return new DatasetError(
    `Fashion-MNIST file ${located.path} (${file}) is ${problem}.\n${searched(report)}\n${howToFix(fixesFor(located))}`,
    { cause },
  );
}

/** A verified download could not be stored in the cache directory. */
export function cacheWriteError(file: FashionMnistFile, cacheDir: string, cause: unknown): DatasetError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DatasetError(
    `Downloaded Fashion-MNIST file ${file}.gz is fine, but it could not be saved in the cache ${cacheDir}: ${reason}\n` +
      howToFix(['make that directory writable, or choose another one with the cacheDir option or XDG_CACHE_HOME']),
    { cause },
  );
}

function fixesFor(located: LocatedFile): string[] {
  switch (located.place.kind) {
    case 'cache':
      return [`delete ${located.path}; the next load downloads it again`];
    case 'system':
      return [
        'reinstall the package: sudo apt install --reinstall dataset-fashion-mnist',
        `or delete ${located.path} to fall back to a download`,
      ];
    case 'root':
      return [`replace ${located.path} with an intact copy`, `or name another directory with ${located.place.label ?? DEFAULT_ROOT_LABEL}`];
    case 'env':
      return [`replace ${located.path} with an intact copy`, insteadOfExplicit(located.place)];
  }
}

/** The way back to the default places, for a directory the user named. */
function insteadOfExplicit(place: SearchPlace): string {
  return place.kind === 'env'
    ? 'or unset FASHION_MNIST_DIR to use the cache, the Debian package or a download'
    : `or leave out ${place.label ?? DEFAULT_ROOT_LABEL} to use the cache, the Debian package or a download`;
}

function searched(report: SearchReport): string {
  const lines = report.places.map((place) => {
    const outcome = report.outcomes.find((o) => o.place === place);
    return `  - ${describePlace(place)}: ${outcome?.note ?? 'not searched (the file was found in an earlier place)'}`;
  });
  if (report.download !== undefined) lines.push(`  - ${report.download}`);
  return `Places searched, in order:\n${lines.join('\n')}`;
}

function howToFix(fixes: readonly string[]): string {
  return `How to fix:\n${fixes.map((f) => `  - ${f}`).join('\n')}`;
}
