import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { createNn } from './nn.js';
import { SGD } from './optim.js';
import { Rng } from './rng.js';

const backend: Backend = {
  name: 'host',
  engine: 'none',
  dtype: 'float64',
  details: {},
  compile: () => Promise.reject(new Error('unused')),
  dispose: async () => {},
};
const nn = createNn(backend, (k) => Rng.seeded(0, 'init', k));

describe('optim.SGD', () => {
  it('validates the learning rate and weight decay', () => {
    const net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2));
    for (const lr of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => SGD(net.parameters(), { lr })).toThrow(`The learning rate must be a finite number > 0, got ${lr}.`);
    }
    expect(() => SGD(net.parameters(), { lr: 0.1, weightDecay: -1 })).toThrow('Weight decay must be a finite number >= 0, got -1.');
    const sgd = SGD(net.parameters(), { lr: 0.1 });
    expect([sgd.lr, sgd.weightDecay]).toEqual([0.1, 0]);
    sgd.setLr(0.05);
    expect(sgd.lr).toBe(0.05);
  });

  it('needs the parameters of one whole model', () => {
    const a = nn.Sequential(nn.Flatten(), nn.Linear(4, 2));
    const b = nn.Sequential(nn.Flatten(), nn.Linear(4, 2));
    expect(() => SGD([], { lr: 0.1 })).toThrow('optim.SGD needs the model parameters');
    expect(() => SGD([...a.parameters().slice(0, 1), ...b.parameters().slice(1)], { lr: 0.1 })).toThrow(
      'pass net.parameters() of a single model',
    );
  });
});

describe('nn', () => {
  it('names parameters like PyTorch and validates layer sizes', () => {
    const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
    expect(net.parameters().map((p) => `${p.name}[${p.shape}]`)).toEqual([
      '1.weight[256,784]',
      '1.bias[256]',
      '3.weight[10,256]',
      '3.bias[10]',
    ]);
    expect(() => nn.Linear(0, 10)).toThrow('Linear inFeatures must be a positive integer, got 0.');
    expect(() => nn.Sequential()).toThrow('nn.Sequential needs at least one layer.');
  });

  it('refuses a model whose sizes do not line up with the data', async () => {
    const net = nn.Sequential(nn.Flatten(), nn.Linear(100, 10));
    await expect(net.compile([1, 28, 28], 10)).rejects.toThrow('Layer 1 Linear(100, 10) receives 784 features.');
    const noFlatten = nn.Sequential(nn.Linear(784, 10));
    await expect(noFlatten.compile([1, 28, 28], 10)).rejects.toThrow('Layer 0 (Linear(784, 10)) needs a Flatten before it: it receives [1,28,28].');
    const wrongClasses = nn.Sequential(nn.Flatten(), nn.Linear(784, 5));
    await expect(wrongClasses.compile([1, 28, 28], 10)).rejects.toThrow('The model outputs 5 values but the data has 10 classes.');
  });

  it('checks names and shapes in loadStateDict', async () => {
    const net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2));
    await expect(net.loadStateDict([{ name: '1.weight', shape: [2, 4], data: new Float64Array(8) }])).rejects.toThrow(
      "loadStateDict: parameter '1.bias' [2] is missing (got 1.weight); pass every parameter of the model.",
    );
    await expect(
      net.loadStateDict([
        { name: '1.weight', shape: [4, 2], data: new Float64Array(8) },
        { name: '1.bias', shape: [2], data: new Float64Array(2) },
      ]),
    ).rejects.toThrow("loadStateDict: parameter '1.weight' has shape [4,2], the model needs [2,4] (PyTorch layout: weights [out, in] or [out, in, kH, kW]).");
  });
});
