import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  checkModelSpec,
  checkParameters,
  type DType,
  type FloatArray,
  InvalidArgumentError,
  type ModelSpec,
  type ParameterTensor,
  sizeOf,
  XBackendError,
} from '@xbackend/core';
import { writeFileAtomic } from '@xbackend/core/node';
import { removeAbandonedTemps } from './abandoned-temps.js';
import type { EarlyStoppingState, Hyperparameters, RunEpoch, RunIdentity } from './run-history.js';
import { currentHyperparameters, type StoredHyperparameters } from './weight-init.js';

/**
 * Checkpoint format `xbackend-checkpoint` version 1: a directory holding
 *
 * - `tensors.bin`: every tensor's values, little-endian, each starting at a multiple of 8 bytes;
 * - `manifest.json`: the format name and version, the model (layers, input shape, classes), the backend it was
 *   trained on, hyperparameters (with how the initial weights were drawn: `init`; checkpoints written before LeNet
 *   have `initStd` instead, read as `init: { kind: 'normal', std: initStd }`), optimizer state, epochs done, metrics history, seed and data-order position,
 *   early-stopping state, and for each tensor its role, name, shape, dtype, byte offset and length, plus the
 *   size and SHA-256 of `tensors.bin`.
 *
 * Checkpoints of a run live in `<run>/checkpoints/epoch-NNNN/`, next to a `latest` file naming the newest one.
 * A save writes both files (each fsynced) into a temporary directory, renames it into place, then rewrites
 * `latest` atomically: a crash at any point leaves the previous checkpoint intact, and every `epoch-*` directory is
 * complete. A crash between the rename and the pointer leaves `latest` stale or (on the first save) absent, so a
 * checkpoints directory resolves to its newest complete checkpoint, not blindly to `latest`.
 */
export const CHECKPOINT_FORMAT = 'xbackend-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MANIFEST = 'manifest.json';
const TENSORS = 'tensors.bin';
const LATEST = 'latest';
const TEMP_PREFIX = '.tmp-';
const CHECKPOINT_NAME = /^epoch-\d+(-\d+)?$/;

/** `weights` continue training; `best` are the best-validation weights kept by early stopping. */
export type TensorRole = 'weights' | 'best';

export interface TensorEntry {
  readonly role: TensorRole;
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** What a training run needs to continue exactly where it stopped, and what inference needs to use the model. */
export interface CheckpointState extends RunIdentity {
  readonly model: ModelSpec;
  readonly hyperparameters: Hyperparameters;
  /** Epochs completed; training resumes at epoch index `epoch` (0-based), batch 0. */
  readonly epoch: number;
  readonly history: readonly RunEpoch[];
  readonly earlyStopping?: EarlyStoppingState;
  /** Parameters after `epoch` epochs. */
  readonly weights: readonly ParameterTensor[];
  /** Best-validation parameters so far (early stopping only); these are the model for inference. */
  readonly best?: readonly ParameterTensor[];
}

export interface CheckpointManifest extends RunIdentity {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly createdAt: string;
  readonly model: ModelSpec;
  readonly hyperparameters: Hyperparameters;
  readonly optimizer: {
    readonly kind: 'sgd';
    readonly lr: number;
    readonly weightDecay: number;
    readonly state: null;
    readonly note: string;
  };
  readonly epoch: number;
  /** Where the data stream continues: batches of epoch e are shuffled from the seed and e alone. */
  readonly dataOrder: { readonly seed: number; readonly epoch: number; readonly batch: number; readonly note: string };
  /** Random state: every stream is derived from the seed (init: stream 'init' 0; shuffle: per epoch), none is consumed across epochs. */
  readonly rng: { readonly seed: number; readonly note: string };
  readonly history: readonly RunEpoch[];
  readonly earlyStopping: EarlyStoppingState | null;
  /** Which tensors make the model for evaluate / predict / export. */
  readonly inference: TensorRole;
  readonly tensorsFile: { readonly path: typeof TENSORS; readonly byteLength: number; readonly sha256: string };
  readonly tensors: readonly TensorEntry[];
}

export interface LoadedCheckpoint extends CheckpointState {
  /** The checkpoint directory actually read (after following `latest`). */
  readonly dir: string;
  readonly manifest: CheckpointManifest;
  /** The tensors to use for inference (`best` when early stopping kept them, else `weights`). */
  readonly inferenceWeights: readonly ParameterTensor[];
}

export class CheckpointError extends XBackendError {
  constructor(message: string, options?: ErrorOptions) {
    super('CHECKPOINT', message, options);
  }
}

function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** Refuses to save weights that are NaN or infinite: a diverged model is never written. */
export function assertFinite(params: readonly ParameterTensor[], what: string): void {
  for (const p of params) {
    const bad = p.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new CheckpointError(`Refusing to write ${what}: parameter ${p.name} has a non-finite value (${p.data[bad]}) at index ${bad}.`);
  }
}

function encodeTensors(groups: readonly { role: TensorRole; params: readonly ParameterTensor[] }[]): {
  bytes: Uint8Array;
  entries: TensorEntry[];
} {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const { role, params } of groups) {
    for (const p of params) {
      const dtype = dtypeOf(p.data);
      const byteLength = p.data.length * (dtype === 'float64' ? 8 : 4);
      entries.push({ role, name: p.name, shape: [...p.shape], dtype, byteOffset: offset, byteLength });
      offset += Math.ceil(byteLength / 8) * 8;
    }
  }
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  let i = 0;
  for (const { params } of groups) {
    for (const p of params) {
      const entry = entries[i++] as TensorEntry;
      p.data.forEach((v, k) => {
        if (entry.dtype === 'float64') view.setFloat64(entry.byteOffset + 8 * k, v, true);
        else view.setFloat32(entry.byteOffset + 4 * k, v, true);
      });
    }
  }
  return { bytes, entries };
}

function decodeTensor(bytes: Uint8Array, entry: TensorEntry, where: string): ParameterTensor {
  const width = entry.dtype === 'float64' ? 8 : entry.dtype === 'float32' ? 4 : 0;
  const count = sizeOf(entry.shape);
  if (width === 0) throw new CheckpointError(`${where}: tensor ${entry.name} has unsupported dtype '${entry.dtype}'.`);
  if (entry.byteLength !== count * width || entry.byteOffset < 0 || entry.byteOffset + entry.byteLength > bytes.length) {
    throw new CheckpointError(
      `${where}: tensor ${entry.name} [${entry.shape}] does not fit its byte range ${entry.byteOffset}+${entry.byteLength}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.byteOffset, entry.byteLength);
  const data = entry.dtype === 'float64' ? new Float64Array(count) : new Float32Array(count);
  for (let k = 0; k < count; k++) data[k] = entry.dtype === 'float64' ? view.getFloat64(8 * k, true) : view.getFloat32(4 * k, true);
  return { name: entry.name, shape: [...entry.shape], data };
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * A checkpoint's model must hold together (layers that chain to `numClasses` logits) and each of its tensors must
 * have its layer's name and shape: checked when a checkpoint is written and when it is read, so a mismatch never
 * reaches evaluate, predict, export or a resumed run. `context` starts the message, `consequence` ends it.
 */
function checkTensorsFitModel(
  model: ModelSpec,
  groups: readonly { role: TensorRole; params: readonly ParameterTensor[] }[],
  context: string,
  consequence: string,
): void {
  try {
    checkModelSpec(model);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new CheckpointError(`${context}: ${lowerFirst(error.message)}${consequence}`, { cause: error });
  }
  for (const { role, params } of groups) {
    try {
      checkParameters(model.layers, params, `${context} (${role})`);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new CheckpointError(`${error.message}${consequence}`, { cause: error });
    }
  }
}

function manifestOf(state: CheckpointState, entries: TensorEntry[], bytes: Uint8Array): CheckpointManifest {
  const h = state.hyperparameters;
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    backend: state.backend,
    ...(state.backendRef === undefined ? {} : { backendRef: state.backendRef }),
    engine: state.engine,
    dtype: state.dtype,
    model: state.model,
    hyperparameters: h,
    optimizer: {
      kind: 'sgd',
      lr: h.lr,
      weightDecay: h.weightDecay,
      state: null,
      note: 'plain SGD keeps no state (no momentum) beyond lr and weight decay',
    },
    epoch: state.epoch,
    dataOrder: {
      seed: h.seed,
      epoch: state.epoch,
      batch: 0,
      note: 'batches of epoch e are a seeded shuffle of (seed, e); checkpoints are taken at epoch boundaries',
    },
    rng: {
      seed: h.seed,
      note: "initial weights come from Rng.seeded(seed, 'init', 0); the data order and validation split are derived from the seed; no stream state carries across epochs",
    },
    history: state.history,
    earlyStopping: state.earlyStopping ?? null,
    inference: state.best ? 'best' : 'weights',
    tensorsFile: { path: TENSORS, byteLength: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    tensors: entries,
  };
}

/** Saves a checkpoint under `checkpointsDir` and points `latest` at it; returns the new checkpoint directory. */
export async function saveCheckpoint(checkpointsDir: string, state: CheckpointState): Promise<string> {
  const groups = [
    { role: 'weights' as const, params: state.weights },
    ...(state.best ? [{ role: 'best' as const, params: state.best }] : []),
  ];
  checkTensorsFitModel(state.model, groups, 'Refusing to write a checkpoint', '');
  assertFinite(state.weights, 'a checkpoint');
  if (state.best) assertFinite(state.best, 'a checkpoint');
  await mkdir(checkpointsDir, { recursive: true });
  await removeAbandonedTemps(checkpointsDir);
  const { bytes, entries } = encodeTensors(groups);
  const manifest = manifestOf(state, entries, bytes);

  const base = `epoch-${String(state.epoch).padStart(4, '0')}`;
  let name = base;
  for (let n = 2; await exists(join(checkpointsDir, name)); n++) name = `${base}-${n}`;
  const temp = join(checkpointsDir, `${TEMP_PREFIX}${name}-pid${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  try {
    await writeFileAtomic(join(temp, TENSORS), bytes);
    await writeFileAtomic(join(temp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDir(temp);
    await rename(temp, join(checkpointsDir, name));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await syncDir(checkpointsDir);
  await writeFileAtomic(join(checkpointsDir, LATEST), `${name}\n`);
  await syncDir(checkpointsDir);
  return join(checkpointsDir, name);
}

/** A complete checkpoint in a checkpoints directory, with the time its manifest says it was written (NaN if unreadable). */
interface SavedCheckpoint {
  readonly name: string;
  readonly createdAt: number;
}

/** The `epoch-*` directories that hold a manifest: a save renames a directory into place only once it is complete. */
async function savedCheckpoints(checkpointsDir: string): Promise<SavedCheckpoint[]> {
  const names = (await readdir(checkpointsDir).catch(() => [] as string[])).filter((name) => CHECKPOINT_NAME.test(name));
  const saved: SavedCheckpoint[] = [];
  for (const name of names) {
    const text = await readFile(join(checkpointsDir, name, MANIFEST), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let createdAt = Number.NaN;
    try {
      createdAt = Date.parse((JSON.parse(text) as { createdAt?: string }).createdAt ?? '');
    } catch {
      // A damaged manifest still counts: loading it reports the damage.
    }
    saved.push({ name, createdAt });
  }
  return saved;
}

/** What `latest` names, or undefined when there is no `latest`; a name that is not a sibling directory is an error. */
async function readLatest(pointer: string): Promise<string | undefined> {
  const text = await readFile(pointer, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new CheckpointError(`Cannot read ${pointer}: ${error.message}`, { cause: error });
  });
  if (text === undefined) return undefined;
  const name = text.trim();
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.'))
    throw new CheckpointError(`${pointer} should name a checkpoint directory, but holds '${name}'.`);
  return name;
}

/**
 * The checkpoint a checkpoints directory means: the one `latest` names, unless a save completed after it whose
 * pointer update was cut off (then that newer one); with no `latest` (the first save was cut off), the newest
 * complete checkpoint. Undefined when the directory holds neither.
 */
async function newestCheckpoint(checkpointsDir: string): Promise<string | undefined> {
  const pointer = join(checkpointsDir, LATEST);
  const latest = await readLatest(pointer);
  const saved = await savedCheckpoints(checkpointsDir);
  const time = (c: SavedCheckpoint) => (Number.isNaN(c.createdAt) ? Number.NEGATIVE_INFINITY : c.createdAt);
  const [newest] = saved.sort((a, b) => time(b) - time(a) || (a.name < b.name ? 1 : -1));
  const named = saved.find((c) => c.name === latest);
  if (named && !(newest && newest.createdAt > named.createdAt)) return join(checkpointsDir, named.name);
  if (newest) return join(checkpointsDir, newest.name);
  if (latest !== undefined) throw new CheckpointError(`${pointer} points at ${join(checkpointsDir, latest)}, which has no ${MANIFEST}.`);
  return undefined;
}

/**
 * Finds the checkpoint a path means: a checkpoint directory (has manifest.json), a checkpoints directory (its newest
 * complete checkpoint, normally the one `latest` names), or a run folder (the same in its checkpoints/).
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  const dir = resolve(path);
  if (await exists(join(dir, MANIFEST))) return dir;
  for (const checkpointsDir of [dir, join(dir, 'checkpoints')]) {
    const found = await newestCheckpoint(checkpointsDir);
    if (found !== undefined) return found;
  }
  throw new CheckpointError(
    `No checkpoint at ${dir}: expected a checkpoint directory (with ${MANIFEST}), a checkpoints directory (with epoch-NNNN ` +
      `checkpoints and a '${LATEST}' file) or a run folder (with checkpoints/). Train with 'xbackend train' to create one.`,
  );
}

function checkManifest(value: unknown, where: string): CheckpointManifest {
  const m = value as Partial<CheckpointManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`${where} is not an ${CHECKPOINT_FORMAT} manifest.`);
  if (m.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `${where} has format version ${m.version}; this xbackend reads version ${CHECKPOINT_VERSION}. Use a matching xbackend release.`,
    );
  }
  for (const key of ['model', 'hyperparameters', 'history', 'tensors', 'tensorsFile'] as const) {
    if (m[key] === undefined) throw new CheckpointError(`${where} lacks '${key}'.`);
  }
  if (!Array.isArray(m.model?.layers)) throw new CheckpointError(`${where} has a model without a list of layers.`);
  const hyperparameters = currentHyperparameters(m.hyperparameters as StoredHyperparameters);
  if (!hyperparameters) throw new CheckpointError(`${where} does not say how the initial weights were drawn (hyperparameters.init).`);
  return { ...(m as CheckpointManifest), hyperparameters };
}

/** Reads and verifies a checkpoint (format, version, size and SHA-256 of the tensors, every tensor's range). */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const dir = await resolveCheckpointDir(path);
  const manifestPath = join(dir, MANIFEST);
  let manifest: CheckpointManifest;
  try {
    manifest = checkManifest(JSON.parse(await readFile(manifestPath, 'utf8')), manifestPath);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`Cannot read ${manifestPath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const tensorsPath = join(dir, TENSORS);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(tensorsPath));
  } catch (error) {
    throw new CheckpointError(`Cannot read ${tensorsPath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (bytes.length !== manifest.tensorsFile.byteLength) {
    throw new CheckpointError(
      `${tensorsPath} has ${bytes.length} bytes; its manifest says ${manifest.tensorsFile.byteLength}. The checkpoint is damaged.`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.tensorsFile.sha256)
    throw new CheckpointError(`${tensorsPath} does not match the SHA-256 in its manifest. The checkpoint is damaged.`);
  const byRole = (role: TensorRole) => manifest.tensors.filter((t) => t.role === role).map((t) => decodeTensor(bytes, t, tensorsPath));
  const weights = byRole('weights');
  const best = manifest.inference === 'best' ? byRole('best') : undefined;
  if (weights.length === 0) throw new CheckpointError(`${manifestPath} lists no weights.`);
  const groups = [{ role: 'weights' as const, params: weights }, ...(best ? [{ role: 'best' as const, params: best }] : [])];
  checkTensorsFitModel(manifest.model, groups, manifestPath, ' The checkpoint is damaged, or was not written by xbackend.');
  return {
    dir,
    manifest,
    backend: manifest.backend,
    ...(manifest.backendRef === undefined ? {} : { backendRef: manifest.backendRef }),
    engine: manifest.engine,
    dtype: manifest.dtype,
    model: manifest.model,
    hyperparameters: manifest.hyperparameters,
    epoch: manifest.epoch,
    history: manifest.history,
    ...(manifest.earlyStopping ? { earlyStopping: manifest.earlyStopping } : {}),
    weights,
    ...(best ? { best } : {}),
    inferenceWeights: best ?? weights,
  };
}

/** The run folder a checkpoint belongs to (`<run>/checkpoints/<name>` → `<run>`), else the checkpoint's own directory. */
export function runFolderOfCheckpoint(checkpointDir: string): string {
  const parent = dirname(checkpointDir);
  return basename(parent) === 'checkpoints' ? dirname(parent) : checkpointDir;
}
