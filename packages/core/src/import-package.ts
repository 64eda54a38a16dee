/**
 * Imports a backend package by name where no bundler rewrote the import (browser build). Works with an import map;
 * with a bundler, register a loader instead: `defaultRegistry.with({ tfjs: () => import('@xbackend/backend-tfjs') })`.
 */
export async function importPackage(specifier: string, _resolveFrom?: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}
