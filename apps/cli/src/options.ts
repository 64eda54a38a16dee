import { InvalidArgumentError as CommanderArgumentError } from 'commander';

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
