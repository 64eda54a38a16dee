import { isAbsolute, relative } from 'node:path';

/** Where a command writes; a real stream or, in tests, anything with `write`. */
export interface Output {
  write(text: string): unknown;
  /** Progress bars are drawn only on terminals; elsewhere progress is printed as plain lines. */
  readonly isTTY?: boolean;
}

/** Everything a command touches outside its arguments, so tests run commands in-process. */
export interface AppIO {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Base of relative paths and of default output folders (default: `process.cwd()`). */
  readonly cwd?: string;
  /** Aborts the work (Ctrl-C, see `runBin`). */
  readonly signal?: AbortSignal;
}

/** A command's view of its IO: `cwd` resolved, plus line printers. */
export interface Console {
  readonly io: AppIO;
  readonly cwd: string;
  out(line?: string): void;
  err(line?: string): void;
}

export function createConsole(io: AppIO): Console {
  return {
    io,
    cwd: io.cwd ?? process.cwd(),
    out: (line = '') => io.stdout.write(`${line}\n`),
    err: (line = '') => io.stderr.write(`${line}\n`),
  };
}

/** A path as the user would type it: relative to the working directory when inside it, else absolute. */
export function displayPath(console: Console, path: string): string {
  const rel = relative(console.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
