import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports a backend package by name or path in Node. A bare `import()` resolves from core's own folder, which under
 * pnpm sees only core's dependencies; so the package is then looked up from where the user's code is: `resolveFrom`,
 * the entry script, the working directory. Paths are taken relative to the working directory.
 */
export async function importPackage(specifier: string, resolveFrom?: string): Promise<unknown> {
  if (specifier.startsWith('.') || isAbsolute(specifier)) return import(pathToFileURL(resolve(specifier)).href);
  if (specifier.startsWith('file:')) return import(specifier);
  try {
    return await import(specifier);
  } catch (first) {
    const bases = [resolveFrom, process.argv[1], join(process.cwd(), 'index.js')].filter((b): b is string => !!b);
    for (const base of bases) {
      let resolved: string;
      try {
        resolved = createRequire(base).resolve(specifier);
      } catch {
        continue;
      }
      return import(pathToFileURL(resolved).href);
    }
    throw first;
  }
}
