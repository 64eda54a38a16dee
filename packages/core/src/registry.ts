import { importPackage } from '#import-package';
import type { BackendAdapter } from './backend.js';
import { BackendUnavailableError, InvalidArgumentError, UnknownBackendError } from './errors.js';

/**
 * The backends xbackend ships, by short name. Adding a backend to xbackend is one line here; a backend that lives
 * elsewhere needs no line at all: its package name (or an adapter object) works wherever a backend name does.
 */
export const DEFAULT_BACKENDS: Readonly<Record<string, string>> = Object.freeze({
  reference: '@xbackend/backend-reference',
  onnxruntime: '@xbackend/backend-onnxruntime',
  tfjs: '@xbackend/backend-tfjs',
  gpujs: '@xbackend/backend-gpujs',
});

/**
 * Where an adapter comes from: a package name or file path whose module exports `adapter`, the adapter itself, or a
 * loader (`() => import('@xbackend/backend-tfjs')`, which lets a browser bundler see the import).
 */
export type AdapterSource = string | BackendAdapter | (() => Promise<BackendAdapter | { readonly adapter?: BackendAdapter }>);

/** What a caller names a backend by: a short name, a package name or path (each optionally `/engine`), or an adapter. */
export type BackendRef = string | BackendAdapter;

/** An immutable table of short names. `with()` returns a new registry; nothing is registered globally. */
export interface BackendRegistry {
  /** Short names in table order (the order `listBackends` reports them). */
  readonly names: readonly string[];
  source(name: string): AdapterSource | undefined;
  with(entries: Readonly<Record<string, AdapterSource>>): BackendRegistry;
}

export function createRegistry(entries: Readonly<Record<string, AdapterSource>>): BackendRegistry {
  const table = new Map(Object.entries(entries));
  for (const name of table.keys()) {
    if (!/^[a-z][\w-]*$/i.test(name)) {
      throw new InvalidArgumentError(`Backend short name '${name}' must be a word (letters, digits, '-', '_'), starting with a letter.`);
    }
  }
  return {
    names: [...table.keys()],
    source: (name) => table.get(name),
    with: (more) => createRegistry({ ...Object.fromEntries(table), ...more }),
  };
}

export const defaultRegistry: BackendRegistry = createRegistry(DEFAULT_BACKENDS);

/** A backend reference split into what to load and which engine (if one is named). */
export interface ParsedBackendRef {
  /** A short name, a package name or a path. */
  readonly backend: string;
  readonly engine?: string;
}

function isPath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:') || /^[a-z]:[\\/]/i.test(spec);
}

/**
 * `name`, `name/engine`, `@scope/package`, `@scope/package/engine`, or a path (`./my-adapter.js`, whose engine
 * can only be given as an option, since a path has slashes of its own).
 */
export function parseBackendRef(spec: string): ParsedBackendRef {
  const text = spec.trim();
  if (isPath(text)) return { backend: text };
  const parts = text.split('/');
  const nameParts = text.startsWith('@') ? 2 : 1;
  const backend = parts.slice(0, nameParts).join('/');
  const rest = parts.slice(nameParts);
  if (backend === '' || backend === '@' || parts.some((p) => p === '') || rest.length > 1 || (nameParts === 2 && parts.length < 2)) {
    throw new InvalidArgumentError(
      `Backend '${spec}' is not of the form name or name/engine (e.g. tfjs or tfjs/wasm; a package: @scope/name or @scope/name/engine).`,
    );
  }
  return rest.length === 1 ? { backend, engine: rest[0] as string } : { backend };
}

function asAdapter(value: unknown, from: string): BackendAdapter {
  const candidate = (value as { adapter?: unknown } | null)?.adapter ?? value;
  const adapter = candidate as Partial<BackendAdapter> | null;
  if (!adapter || typeof adapter.name !== 'string' || !Array.isArray(adapter.engines)) {
    throw new InvalidArgumentError(
      `${from} does not export an xbackend adapter: expected an export named 'adapter' with a name and a list of engines.`,
    );
  }
  return adapter as BackendAdapter;
}

function isPackageName(name: string): boolean {
  return /^(@[\w.-]+\/)?[\w.-]+$/.test(name);
}

/**
 * The adapter a backend reference means: an adapter object as is, a short name through the registry, else a package
 * name or path imported directly. An unknown name gets one error naming the registry's backends.
 */
export async function resolveAdapter(
  ref: BackendRef,
  registry: BackendRegistry = defaultRegistry,
  resolveFrom?: string,
): Promise<BackendAdapter> {
  if (typeof ref !== 'string') return asAdapter(ref, 'The adapter object');
  const { backend } = parseBackendRef(ref);
  const source = registry.source(backend);
  if (source !== undefined && typeof source !== 'string') {
    return named(asAdapter(typeof source === 'function' ? await source() : source, `The loader of backend '${backend}'`), backend);
  }
  const specifier = source ?? backend;
  if (source === undefined && !isPath(specifier) && !isPackageName(specifier)) throw new UnknownBackendError(backend, registry.names);
  let module: unknown;
  try {
    module = await importPackage(specifier, resolveFrom);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if (source === undefined && !isPath(specifier) && !specifier.includes('/')) {
      throw new UnknownBackendError(backend, registry.names, `No package '${backend}' could be imported either (${reason}).`);
    }
    throw new BackendUnavailableError(
      backend,
      [{ backend, engine: '*', reason: `package ${specifier} could not be loaded (${reason})` }],
      `Install it: pnpm add ${specifier}`,
    );
  }
  const adapter = asAdapter(module, specifier);
  return source === undefined ? adapter : named(adapter, backend);
}

/** A registered short name must be the adapter's own name, or reports and checkpoints would disagree. */
function named(adapter: BackendAdapter, shortName: string): BackendAdapter {
  if (adapter.name !== shortName) {
    throw new InvalidArgumentError(
      `Backend '${shortName}' is registered, but its adapter calls itself '${adapter.name}': register it as '${adapter.name}'.`,
    );
  }
  return adapter;
}
