import { type Batch, InvalidArgumentError, type ModelSpec, sizeOf } from '@xbackend/core';

/** Rejects a batch that does not fit the compiled model, before any tensor is created. */
export function checkBatch(spec: ModelSpec, batch: Batch): void {
  if (!Number.isSafeInteger(batch.size) || batch.size <= 0) {
    throw new InvalidArgumentError(`batch.size must be a positive integer, got ${batch.size}.`);
  }
  if (batch.sampleShape.join() !== spec.inputShape.join()) {
    throw new InvalidArgumentError(
      `The batch holds examples of shape [${batch.sampleShape}], but the model was compiled for [${spec.inputShape}].`,
    );
  }
  const expected = batch.size * sizeOf(spec.inputShape);
  if (batch.x.length !== expected) {
    throw new InvalidArgumentError(
      `batch.x has ${batch.x.length} values; ${batch.size} examples of shape [${spec.inputShape}] need ${expected}.`,
    );
  }
  if (batch.y.length !== batch.size) {
    throw new InvalidArgumentError(`batch.y has ${batch.y.length} labels for ${batch.size} examples.`);
  }
  for (let i = 0; i < batch.y.length; i++) {
    const label = batch.y[i] as number;
    if (label < 0 || label >= spec.numClasses) {
      throw new InvalidArgumentError(`batch.y[${i}] = ${label} is not a class index in [0, ${spec.numClasses - 1}].`);
    }
  }
}
