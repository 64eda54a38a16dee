/**
 * The one place where what reaches a backend is checked: model specs, parameter sets, batches and step
 * hyperparameters. Core calls these before any adapter sees the data, so adapters trust their inputs and every
 * backend rejects the same mistakes with the same message.
 */
import type { LayerSpec, ModelSpec, StepHyperparameters } from './backend.js';
import type { Batch, BatchSource } from './batch.js';
import { InvalidArgumentError } from './errors.js';
import { outputShape, parameterShapes } from './layer-shapes.js';
import { type ParameterTensor, sizeOf } from './tensor.js';

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Checks the layer chain (see `layerShapes`: the first layer that does not fit is named) and `numClasses` logits at the end. */
export function checkModelSpec(spec: ModelSpec): void {
  if (!isPositiveInt(spec.numClasses)) throw new InvalidArgumentError(`numClasses must be a positive integer, got ${spec.numClasses}.`);
  const logits = outputShape(spec);
  if (logits.length !== 1 || logits[0] !== spec.numClasses) {
    throw new InvalidArgumentError(
      logits.length === 1
        ? `The model outputs ${logits[0]} values but the data has ${spec.numClasses} classes.`
        : `The model outputs [${logits}] per example, not ${spec.numClasses} logits: end it with Flatten and Linear(…, ${spec.numClasses}).`,
    );
  }
}

/**
 * Matches `params` to the model's parameters (names `${i}.weight` `[out, in]` and `${i}.bias` `[out]`) and returns
 * them in spec order; `context` starts the message (e.g. `loadStateDict`).
 */
export function checkParameters(layers: readonly LayerSpec[], params: readonly ParameterTensor[], context: string): ParameterTensor[] {
  const expected = parameterShapes(layers);
  const names = expected.map((e) => e.name);
  const byName = new Map<string, ParameterTensor>();
  for (const p of params) {
    if (byName.has(p.name)) throw new InvalidArgumentError(`${context}: parameter '${p.name}' is given twice.`);
    byName.set(p.name, p);
  }
  const extra = [...byName.keys()].filter((name) => !names.includes(name));
  if (extra.length > 0) {
    throw new InvalidArgumentError(`${context}: unexpected parameters ${extra.join(', ')}; the model has ${names.join(', ') || 'none'}.`);
  }
  return expected.map(({ name, shape }) => {
    const given = byName.get(name);
    if (!given) {
      throw new InvalidArgumentError(
        `${context}: parameter '${name}' [${shape}] is missing (got ${params.map((p) => p.name).join(', ') || 'none'}); pass every parameter of the model.`,
      );
    }
    if (given.shape.join() !== shape.join()) {
      throw new InvalidArgumentError(
        `${context}: parameter '${name}' has shape [${given.shape}], the model needs [${shape}] (PyTorch layout: weights [out, in] or [out, in, kH, kW]).`,
      );
    }
    if (!(given.data instanceof Float32Array || given.data instanceof Float64Array) || given.data.length !== sizeOf(shape)) {
      throw new InvalidArgumentError(
        `${context}: parameter '${name}' [${shape}] must hold ${sizeOf(shape)} values in a Float32Array or Float64Array.`,
      );
    }
    return given;
  });
}

/** `12 values in a Float64Array`-style description of what was given instead of an array. */
function describeArray(value: unknown): string {
  if (ArrayBuffer.isView(value) && 'length' in value)
    return `${(value as { length: number }).length} values in a ${value.constructor.name}`;
  return value === null ? 'null' : typeof value;
}

/** `source` must name `size` rows of whole examples that exist in its byte array. */
function checkSource(source: BatchSource, size: number, sampleSize: number, inputShape: readonly number[]): void {
  const { bytes, index } = source;
  if (!(bytes instanceof Uint8Array) || bytes.length % sampleSize !== 0) {
    throw new InvalidArgumentError(
      `batch.source.bytes must be a Uint8Array of whole examples of [${inputShape}] (${sampleSize} bytes each), got ${describeArray(bytes)}.`,
    );
  }
  if (!(index instanceof Int32Array) || index.length !== size) {
    throw new InvalidArgumentError(`batch.source.index must be an Int32Array of ${size} rows, got ${describeArray(index)}.`);
  }
  const rows = bytes.length / sampleSize;
  for (let i = 0; i < size; i++) {
    const row = index[i] as number;
    if (!(row >= 0 && row < rows)) throw new InvalidArgumentError(`batch.source.index[${i}] is ${row}, not a row in [0, ${rows - 1}].`);
  }
}

/** Rejects a batch that does not fit the model, before any backend sees it. Labels are checked only where they are used. */
export function checkBatch(spec: ModelSpec, batch: Batch, usesLabels: boolean): void {
  const { size } = batch;
  if (!isPositiveInt(size)) throw new InvalidArgumentError(`The batch size must be a positive integer, got ${size}.`);
  if (batch.sampleShape.join() !== spec.inputShape.join()) {
    throw new InvalidArgumentError(
      `The batch holds examples of shape [${batch.sampleShape}], the model was compiled for [${spec.inputShape}].`,
    );
  }
  const sampleSize = sizeOf(spec.inputShape);
  const expected = size * sampleSize;
  // A batch of bytes is checked as bytes: reading `x` would make the float copy that backends avoid, and a batch with
  // a source by its rows: reading `pixels` would make the host gather them.
  const { source } = batch;
  if (source !== undefined) {
    checkSource(source, size, sampleSize, spec.inputShape);
  } else if (batch.pixels !== undefined) {
    const { pixels } = batch;
    if (!(pixels instanceof Uint8Array) || pixels.length !== expected) {
      throw new InvalidArgumentError(
        `batch.pixels must be a Uint8Array of ${expected} bytes (${size} examples of [${spec.inputShape}]), got ${describeArray(pixels)}.`,
      );
    }
  } else if (!(batch.x instanceof Float32Array) || batch.x.length !== expected) {
    throw new InvalidArgumentError(
      `batch.x must be a Float32Array of ${expected} values (${size} examples of [${spec.inputShape}]), got ${batch.x.length}.`,
    );
  }
  if (!usesLabels) return;
  if (!(batch.y instanceof Int32Array) || batch.y.length !== size) {
    throw new InvalidArgumentError(`batch.y must be an Int32Array of ${size} labels, got ${batch.y.length}.`);
  }
  for (let i = 0; i < size; i++) {
    const label = batch.y[i] as number;
    if (!(label >= 0 && label < spec.numClasses)) {
      throw new InvalidArgumentError(`Label ${label} of example ${i} is not a class index in [0, ${spec.numClasses - 1}].`);
    }
  }
}

export function checkLr(lr: number): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new InvalidArgumentError(`The learning rate must be a finite number > 0, got ${lr}.`);
  }
  return lr;
}

export function checkWeightDecay(weightDecay: number): number {
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new InvalidArgumentError(`Weight decay must be a finite number >= 0, got ${weightDecay}.`);
  }
  return weightDecay;
}

/** The SGD step's lr and weight decay. */
export function checkStep(hyper: StepHyperparameters): void {
  checkLr(hyper.lr);
  checkWeightDecay(hyper.weightDecay);
}
