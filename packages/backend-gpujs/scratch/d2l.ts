/** Scratch: the DESIGN.md script on real Fashion-MNIST (own minimal IDX loader), per mode. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type Batch, type DataIter, loadBackend, Rng, trainCh3 } from '@xbackend/core';

const mode = process.argv[2] ?? 'webasm';
const epochs = Number(process.argv[3] ?? 10);
const dir = '/usr/share/datasets/fashion-mnist';
function idx(name: string): Uint8Array { return gunzipSync(readFileSync(`${dir}/${name}.gz`)); }
function iter(images: string, labels: string, batchSize: number, shuffle: boolean): DataIter {
  const img = idx(images).subarray(16), lab = idx(labels).subarray(8);
  const n = lab.length;
  const epoch = function* (e: number, from = 0): Iterable<Batch> {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    if (shuffle) Rng.seeded(0, 'shuffle', e).shuffle(order);
    for (let b = from * batchSize; b < n; b += batchSize) {
      const size = Math.min(batchSize, n - b);
      const x = new Float32Array(size * 784), y = new Int32Array(size);
      for (let i = 0; i < size; i++) { const j = order[b + i]!; for (let k = 0; k < 784; k++) x[i * 784 + k] = img[j * 784 + k]! / 255; y[i] = lab[j]!; }
      yield { x, y, size, sampleShape: [1, 28, 28] };
    }
  };
  let e = 0;
  return { numExamples: n, batchSize, numBatches: Math.ceil(n / batchSize), sampleShape: [1, 28, 28], numClasses: 10, epoch, [Symbol.iterator]: () => epoch(e++)[Symbol.iterator]() };
}
const { nn, init, loss, optim, engine } = await loadBackend(`gpujs/${mode}`);
const trainIter = iter('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 256, true);
const testIter = iter('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 256, false);
const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10));
net.apply(init.normal({ std: 0.01 }));
const t = performance.now();
await trainCh3(net, trainIter, testIter, loss.CrossEntropyLoss({ reduction: 'none' }), epochs, optim.SGD(net.parameters(), { lr: 0.1 }), { sanityChecks: 'report' });
console.log(engine, 'total s', ((performance.now() - t) / 1000).toFixed(1));
await net.dispose();
