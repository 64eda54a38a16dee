import { DatasetError } from './dataset-error.js';
import { FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
import { describePlace, type LocatedFile, type PlaceOutcome, type SearchPlace } from './locate.js';

/** How the search for one file went, for the error message: every place and what was there, then the download. */
export interface SearchReport {
  readonly places: readonly SearchPlace[];
  readonly outcomes: readonly PlaceOutcome[];
  /** One line about the download step, when it was reached. */
  readonly download?: string;
}

/** The file is nowhere and could not be downloaded. */
export function missingFileError(file: FashionMnistFile, report: SearchReport, cause?: unknown): DatasetError {
  const fixes = [
    'install the Debian/Ubuntu package: sudo apt install dataset-fashion-mnist',
    `set FASHION_MNIST_DIR (or the root option) to a directory holding ${FASHION_MNIST_FILES.map((f) => `${f}.gz`).join(', ')}`,
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
      return [`replace ${located.path} with an intact copy`, 'or pass another root directory'];
    case 'env':
      return [
        `replace ${located.path} with an intact copy`,
        'or unset FASHION_MNIST_DIR to use the cache, the Debian package or a download',
      ];
  }
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
