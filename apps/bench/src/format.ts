/** Number formats shared by the Markdown report and the charts. */

/** Three significant digits, without exponent notation for everyday magnitudes. */
export function sig3(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const digits = Math.max(0, 2 - magnitude);
  return value.toFixed(Math.min(digits, 6));
}

export function seconds(ms: number): string {
  return sig3(ms / 1000);
}

export function milliseconds(ms: number): string {
  return sig3(ms);
}

export function megabytes(bytes: number): string {
  return String(Math.round(bytes / 2 ** 20));
}

export function gibibytes(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}

/** `1.00×`: ratios against the fastest run are never below 1, so two decimals suffice. */
export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** Integers with thousands separators, e.g. samples per second. */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** An error on one line, shortened to `max` characters (multi-line errors list their causes on later lines). */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** An error on one line, safe inside a Markdown table cell. */
export function cell(text: string, max = 200): string {
  return oneLine(text, max).replaceAll('|', '\\|');
}
