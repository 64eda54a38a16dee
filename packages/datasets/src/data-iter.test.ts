import type { Batch, DataIter } from '@xbackend/core';
import { copyBatch, InvalidArgumentError, Rng } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { createDataIter, epochOrder } from './data-iter.js';

/** 23 examples of shape [1, 1, 2]; example i has both pixels equal to i, label i % 10. */
const count = 23;
const images = Uint8Array.from({ length: count * 2 }, (_, p) => Math.floor(p / 2));
const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
const sampleShape = [1, 1, 2];

/** Which examples a pass yields, recovered from the pixels. */
function ids(batches: Iterable<Batch>): number[] {
  const out: number[] = [];
  for (const batch of batches) for (let k = 0; k < batch.size; k++) out.push(Math.round((batch.x[k * 2] as number) * 255));
  return out;
}

function iter(options: { shuffle?: boolean; seed?: number; batchSize?: number } = {}): DataIter {
  return createDataIter(images, labels, { batchSize: 5, sampleShape, ...options });
}

describe('createDataIter', () => {
  it('describes itself: examples, batch size, batches (last partial kept), shape, classes', () => {
    const it = iter();
    expect([it.numExamples, it.batchSize, it.numBatches, it.numClasses]).toEqual([23, 5, 5, 10]);
    expect(it.sampleShape).toEqual([1, 1, 2]);
    const sizes = [...it.epoch(0)].map((b) => b.size);
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
  });

  it('gives the pixel bytes, their float32 values value/255 shaped [size, ...sampleShape], and Int32Array labels', () => {
    const [first] = iter().epoch(0);
    expect(first?.pixels).toBeInstanceOf(Uint8Array);
    expect([...(first?.pixels ?? [])]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(first?.x).toBeInstanceOf(Float32Array);
    expect(first?.y).toBeInstanceOf(Int32Array);
    expect(first?.x.length).toBe(5 * 2);
    expect(first?.sampleShape).toEqual([1, 1, 2]);
    expect([...(first?.x ?? [])]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4].map((v) => Math.fround(v / 255)));
    expect([...(first?.y ?? [])]).toEqual([0, 1, 2, 3, 4]);
  });

  it('without shuffle keeps file order in every epoch', () => {
    const it = iter();
    const inOrder = Array.from({ length: count }, (_, i) => i);
    expect(ids(it.epoch(0))).toEqual(inOrder);
    expect(ids(it.epoch(7))).toEqual(inOrder);
    expect(ids(it)).toEqual(inOrder);
  });

  it('with shuffle visits every example once per epoch, in the order of Rng.seeded(seed, "shuffle", epoch)', () => {
    const it = iter({ shuffle: true, seed: 42 });
    for (const epoch of [0, 1, 5]) {
      const expected = Array.from(Rng.seeded(42, 'shuffle', epoch).shuffle(Uint32Array.from({ length: count }, (_, i) => i)));
      expect(ids(it.epoch(epoch))).toEqual(expected);
    }
  });

  it('reshuffles differently each epoch, and labels travel with their images', () => {
    const it = iter({ shuffle: true, seed: 1 });
    const e0 = ids(it.epoch(0));
    const e1 = ids(it.epoch(1));
    expect(e0).not.toEqual(e1);
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    for (const batch of it.epoch(1)) {
      for (let k = 0; k < batch.size; k++) expect(batch.y[k]).toBe(Math.round((batch.x[k * 2] as number) * 255) % 10);
    }
  });

  it('gives the same order for the same seed and a different one for another seed', () => {
    expect(ids(iter({ shuffle: true, seed: 3 }).epoch(2))).toEqual(ids(iter({ shuffle: true, seed: 3 }).epoch(2)));
    expect(ids(iter({ shuffle: true, seed: 3 }).epoch(2))).not.toEqual(ids(iter({ shuffle: true, seed: 4 }).epoch(2)));
  });

  it('starts the next epoch on each for..of, matching epoch(e)', () => {
    const it = iter({ shuffle: true, seed: 9 });
    const passes = [ids(it), ids(it), ids(it)];
    expect(passes).toEqual([ids(it.epoch(0)), ids(it.epoch(1)), ids(it.epoch(2))]);
  });

  it('resumes an epoch at batch `from` with the same batches as the full pass', () => {
    const it = iter({ shuffle: true, seed: 5 });
    const full = ids(it.epoch(3));
    expect(ids(it.epoch(3, 2))).toEqual(full.slice(10));
    expect(ids(it.epoch(3, 5))).toEqual([]);
  });

  it('can be re-iterated: epoch(e) returns a fresh pass each time', () => {
    const pass = iter({ shuffle: true }).epoch(1);
    expect(ids(pass)).toEqual(ids(pass));
  });

  it('makes x from the bytes exactly as float32(v / 255), for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, v) => v);
    const [batch] = createDataIter(all, new Uint8Array(256), { batchSize: 256, sampleShape: [1] }).epoch(0);
    const expected = Float32Array.from({ length: 256 }, (_, v) => v / 255);
    expect(batch?.x).toEqual(expected);
    // Bit for bit, not just close: this is what every backend's on-device conversion must reproduce.
    expect(new Uint32Array((batch?.x ?? new Float32Array()).slice().buffer)).toEqual(new Uint32Array(expected.buffer));
  });

  it('reuses its buffers: a batch is readable until the next one of its pass is drawn, and copyBatch keeps one', () => {
    const it = iter({ shuffle: true, seed: 2 });
    const pass = it.epoch(0)[Symbol.iterator]();
    const first = pass.next().value as Batch;
    const kept = copyBatch(first);
    const firstIds = ids([first]);
    pass.next();
    expect(() => first.y).toThrow(/Batch 0 of this pass was read after batch 1 was drawn: .*copyBatch/);
    expect(() => first.pixels).toThrow(InvalidArgumentError);
    expect(ids([kept])).toEqual(firstIds);
    // Another pass has its own buffers, and the last batch of a pass stays readable after the pass ends.
    const [other] = it.epoch(0);
    expect(ids(other ? [other] : [])).toEqual(firstIds);
    expect(() => [...it.epoch(1)].map((b) => b.y)).toThrow(/was read after/);
  });

  it('says which rows a shuffled batch holds (source), and gathers its pixels only when they are read', () => {
    const it = iter({ shuffle: true, seed: 6 });
    const order = Array.from(epochOrder(count, 6, 0));
    let k = 0;
    for (const batch of it.epoch(0)) {
      const rows = order.slice(k, k + batch.size);
      expect(batch.source?.bytes).toEqual(images);
      expect(Array.from(batch.source?.index ?? [])).toEqual(rows);
      expect(Array.from(batch.pixels ?? [])).toEqual(rows.flatMap((r) => [r, r]));
      k += batch.size;
    }
    const [inOrder] = iter().epoch(0);
    expect(inOrder?.source).toBeUndefined();
  });

  it('spreads like a plain object, so { ...batch, y } is a whole batch', () => {
    const [first] = iter().epoch(0);
    const relabelled: Batch = { ...(first as Batch), y: new Int32Array(5) };
    expect([...(relabelled.pixels ?? [])]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(relabelled.x.length).toBe(10);
    expect(relabelled.size).toBe(5);
  });

  it('re-cuts the same examples into other batch sizes, in the same order (withBatchSize)', () => {
    const it = iter({ shuffle: true, seed: 4 });
    const wide = it.withBatchSize?.(10) as DataIter;
    expect([wide.batchSize, wide.numBatches, wide.numExamples]).toEqual([10, 3, 23]);
    expect(ids(wide.epoch(3))).toEqual(ids(it.epoch(3)));
    expect(it.withBatchSize?.(5)).toBe(it);
    expect(() => it.withBatchSize?.(0)).toThrow(/batchSize must be a positive integer/);
  });

  it('exports the epoch order it shuffles by', () => {
    expect(ids(iter({ shuffle: true, seed: 8 }).epoch(2))).toEqual(Array.from(epochOrder(count, 8, 2)));
  });

  it('rejects bad arguments with what is wrong', () => {
    expect(() => iter({ batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => iter({ batchSize: 2.5 })).toThrow(InvalidArgumentError);
    expect(() => iter({ seed: 0.5 })).toThrow(/seed must be an integer, got 0.5/);
    expect(() => iter().epoch(-1)).toThrow(/epoch must be a non-negative integer, got -1/);
    expect(() => iter().epoch(0, 6)).toThrow(/from must be a batch index in 0..5, got 6/);
    expect(() => createDataIter(images, labels, { batchSize: 4, sampleShape: [1, 2, 2] })).toThrow(
      /images has 46 bytes, but 23 labels of sampleShape \[1, 2, 2\] need 92/,
    );
    expect(() =>
      createDataIter(
        images,
        Uint8Array.from(labels, (l) => l + 1),
        { batchSize: 4, sampleShape },
      ),
    ).toThrow(/labels\[9\] is 10, outside 0..9/);
    expect(() => createDataIter(images, labels, { batchSize: 4, sampleShape: [] })).toThrow(/sampleShape must be a non-empty array/);
    expect(() => createDataIter(images, labels, { batchSize: 4, sampleShape, shufle: true } as never)).toThrow(/Unknown option shufle/);
    expect(() => createDataIter(new Uint8Array(), new Uint8Array(), { batchSize: 4, sampleShape })).toThrow(/labels is empty/);
  });

  it('resizes each example when asked, reporting the new sample shape', () => {
    const plane = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => (i % 4 === 3 ? 255 : 0));
    const it = createDataIter(plane, Uint8Array.from([0, 1, 2]), { batchSize: 2, sampleShape: [1, 2, 2], resize: 4 });
    expect(it.sampleShape).toEqual([1, 4, 4]);
    const [first] = it.epoch(0);
    expect(first?.x.length).toBe(2 * 16);
    // Bottom-right corner of a 2×2 image with only that pixel lit stays fully lit after upscaling.
    expect(first?.x[15]).toBe(1);
    expect(first?.x[0]).toBe(0);
  });
});
