import { type Batch, type DataIter, type LoadedBackend, loadBackend, type Module, type ParameterTensor } from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';

export type Architecture = 'softmax' | 'mlp';

/** The two models of the chapter and the next one, built through a backend's `nn` exactly as the examples do. */
export function buildNet({ nn, init }: LoadedBackend, architecture: Architecture): Module {
  const net =
    architecture === 'softmax'
      ? nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
      : nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
  return net.apply(init.normal({ std: 0.01 }));
}

export async function load(target: string, seed = 0): Promise<LoadedBackend> {
  return loadBackend(target, { seed });
}

let data: Promise<[DataIter, DataIter]> | undefined;

/** The real Fashion-MNIST (batch 256, seed 0), loaded once per test file. */
export function fashionMnist(): Promise<[DataIter, DataIter]> {
  data ??= loadDataFashionMnist(256, { seed: 0 });
  return data;
}

export function firstBatch(iter: DataIter): Batch {
  for (const batch of iter.epoch(0)) return batch;
  throw new Error('empty data iterator');
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const ref = b[i] as number;
    max = Math.max(max, Math.abs((a[i] as number) - ref) / Math.max(Math.abs(ref), 1e-12));
  }
  return max;
}

export function flatParameters(params: readonly ParameterTensor[]): Float64Array {
  const out = new Float64Array(params.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of params) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}
