import { resolve } from 'node:path';
import { InvalidArgumentError, type ParsedBackendRef, parseBackendRef } from '@xbackend/core';
import { type Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { UsageError } from './errors.js';

/**
 * Flag value parsers for commander. Each rejects anything that is not exactly a number of the right kind
 * (`Number('')` is 0 and `Number('0x10')` is 16, so plain `Number()` is not enough).
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseDecimal(text: string, what: string): number {
  const value = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new CommanderArgumentError(`Expected ${what}, got '${text}'.`);
  return value;
}

export function parsePositiveInt(text: string): number {
  const value = parseDecimal(text, 'a whole number >= 1');
  if (!Number.isSafeInteger(value) || value < 1) throw new CommanderArgumentError(`Expected a whole number >= 1, got '${text}'.`);
  return value;
}

export function parseNonNegativeInt(text: string): number {
  const value = parseDecimal(text, 'a whole number >= 0');
  if (!Number.isSafeInteger(value) || value < 0) throw new CommanderArgumentError(`Expected a whole number >= 0, got '${text}'.`);
  return value;
}

export function parseInteger(text: string): number {
  const value = parseDecimal(text, 'a whole number');
  if (!Number.isSafeInteger(value)) throw new CommanderArgumentError(`Expected a whole number, got '${text}'.`);
  return value;
}

export function parsePositiveNumber(text: string): number {
  const value = parseDecimal(text, 'a number > 0');
  if (value <= 0) throw new CommanderArgumentError(`Expected a number > 0, got '${text}'.`);
  return value;
}

export function parseNonNegativeNumber(text: string): number {
  const value = parseDecimal(text, 'a number >= 0');
  if (value < 0) throw new CommanderArgumentError(`Expected a number >= 0, got '${text}'.`);
  return value;
}

/** A fraction strictly between 0 and 1 (a validation split must leave training data). */
export function parseOpenFraction(text: string): number {
  const value = parseDecimal(text, 'a fraction between 0 and 1');
  if (value <= 0 || value >= 1) throw new CommanderArgumentError(`Expected a fraction strictly between 0 and 1, got '${text}'.`);
  return value;
}

/** `a,b,c` parsed item by item; an empty item is an error, not a silent skip. */
export function parseList<T>(parseItem: (text: string) => T): (text: string) => T[] {
  return (text) => {
    const items = text.split(',').map((s) => s.trim());
    if (items.some((s) => s === ''))
      throw new CommanderArgumentError(`Expected a comma-separated list without empty items, got '${text}'.`);
    return items.map((item) => {
      try {
        return parseItem(item);
      } catch (error) {
        if (error instanceof CommanderArgumentError) throw new CommanderArgumentError(`In '${text}': ${error.message}`);
        throw error;
      }
    });
  };
}

export function parseName(text: string): string {
  if (text.trim() === '') throw new CommanderArgumentError('Expected a non-empty name.');
  return text.trim();
}

/**
 * A backend as a flag names it: `name` or `name/engine` (a short name of the registry), `@scope/package[/engine]`, or
 * a path to an adapter module; split by core's `parseBackendRef`. `what` names the flag in the error.
 */
export function parseBackendChoice(text: string, what: string): ParsedBackendRef {
  try {
    return parseBackendRef(text);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new UsageError(
      `${what} '${text}' is not of the form name or name/engine (a package: @scope/name or @scope/name/engine; see 'xbackend backends').`,
    );
  }
}

/** A backend item that is a relative path (`./my-adapter.js`), made absolute against the command's working directory. */
export function absoluteBackendItem(item: string, cwd: string): string {
  const text = item.trim();
  return /^\.\.?[\\/]/.test(text) ? resolve(cwd, text) : item;
}

/** Where Fashion-MNIST comes from, as the data flags give it. */
export interface DataFlags {
  dataDir?: string;
  verifyData: boolean;
  download: boolean;
}

/** `--data-dir`, `--no-verify-data`, `--no-download`: the same data flags on every command that reads the data. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option(
      '--data-dir <dir>',
      'directory with the four Fashion-MNIST IDX files, used on its own: if it lacks a file or cannot be read, the command fails ' +
        '(default: $FASHION_MNIST_DIR, else the cache, /usr/share/datasets/fashion-mnist, then a download)',
    )
    .option(
      '--no-verify-data',
      "skip the SHA-256 check of the data files (for fixtures or other IDX data; the files' structure is still checked)",
    )
    .option('--no-download', 'fail instead of downloading Fashion-MNIST when it is not found');
}

/** The engine settings a command passes to `loadBackend`, as its flags give them (undefined: the engine's default). */
export interface ThreadFlags {
  threads?: number;
  spinning?: boolean;
}

/**
 * `--threads <n>`, `--spinning` / `--no-spinning`: intra-op threads and whether idle ones busy-wait between calls
 * (onnxruntime's `session.intra_op.allow_spinning`), for engines that have the settings. Neither flag: undefined, so
 * each engine keeps its own default.
 */
export function addThreadOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--threads <n>',
        "intra-op threads for engines that have the setting (default: each engine's own; onnxruntime: 1)",
      ).argParser(parsePositiveInt),
    )
    .option('--spinning', 'let idle intra-op threads spin between calls (onnxruntime; default: off)')
    .option('--no-spinning', 'idle intra-op threads sleep between calls (the default)');
}

/** The `loadBackend` options of `--threads` and `--spinning`, only those given. */
export function threadOptions(flags: ThreadFlags): { threads?: number; spinning?: boolean } {
  return {
    ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    ...(flags.spinning === undefined ? {} : { spinning: flags.spinning }),
  };
}
