/** The real Fashion-MNIST, as the checks read it: fixed batches of epoch 0 (seed 0), loaded once per process. */
import { type Batch, copyBatch, type DataIter } from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';

const loads = new Map<number, Promise<[DataIter, DataIter]>>();

/** `[trainIter, testIter]` of the real data set with this batch size (shuffle seed 0). */
export function fashionMnist(batchSize: number): Promise<[DataIter, DataIter]> {
  let load = loads.get(batchSize);
  if (!load) {
    load = loadDataFashionMnist(batchSize, { seed: 0 });
    loads.set(batchSize, load);
  }
  return load;
}

/** Batch `index` of epoch 0, a copy that the caller owns; a negative index counts from the end (-1: the last one). */
export function batchAt(iter: DataIter, index: number): Batch {
  const b = index < 0 ? iter.numBatches + index : index;
  for (const batch of iter.epoch(0, b)) return copyBatch(batch);
  throw new Error(`batch ${index} is outside the ${iter.numBatches} batches of the data iterator`);
}

/** Batches `from`..`from + count − 1` of epoch 0, copies that the caller owns. */
export function batchRange(iter: DataIter, from: number, count: number): Batch[] {
  const out: Batch[] = [];
  for (const batch of iter.epoch(0, from)) {
    if (out.length === count) break;
    out.push(copyBatch(batch));
  }
  return out;
}
