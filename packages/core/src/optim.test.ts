import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { xavierUniform } from './init.js';
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
    await expect(noFlatten.compile([1, 28, 28], 10)).rejects.toThrow(
      'Layer 0 (Linear(784, 10)) needs a Flatten before it: it receives [1,28,28].',
    );
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
    ).rejects.toThrow(
      "loadStateDict: parameter '1.weight' has shape [4,2], the model needs [2,4] (PyTorch layout: weights [out, in] or [out, in, kH, kW]).",
    );
  });
});

describe('nn window layers', () => {
  it("fills in PyTorch's defaults: stride 1 and padding 0 for Conv2d, pool stride = kernel size; a number means both axes", () => {
    expect(nn.Conv2d(6, 16, { kernelSize: 5 }).spec).toEqual({
      kind: 'conv2d',
      inChannels: 6,
      outChannels: 16,
      kernelSize: [5, 5],
      stride: [1, 1],
      padding: [0, 0],
    });
    expect(nn.AvgPool2d({ kernelSize: 2 }).spec).toEqual({ kind: 'avgpool2d', kernelSize: [2, 2], stride: [2, 2] });
    expect(nn.MaxPool2d({ kernelSize: [3, 2], stride: [2, 1] }).spec).toEqual({ kind: 'maxpool2d', kernelSize: [3, 2], stride: [2, 1] });
  });

  it('rejects sizes that are not integers of the right range, naming the argument', () => {
    expect(() => nn.Conv2d(1, 6, { kernelSize: 0 })).toThrow('Conv2d kernelSize must be an integer >= 1 or a pair of them, got 0.');
    expect(() => nn.Conv2d(1, 6, { kernelSize: 5, padding: -1 })).toThrow(
      'Conv2d padding must be an integer >= 0 or a pair of them, got -1.',
    );
    expect(() => nn.Conv2d(1, 6, { kernelSize: [5, 5, 5] as unknown as [number, number] })).toThrow('got [5,5,5]');
    expect(() => nn.Conv2d(1.5, 6, { kernelSize: 5 })).toThrow('Conv2d inChannels must be a positive integer, got 1.5.');
    expect(() => nn.AvgPool2d({ kernelSize: 2, stride: 0 })).toThrow('AvgPool2d stride must be an integer >= 1 or a pair of them, got 0.');
  });

  it('initialises Conv2d and Linear weights with their fans (Xavier bound √(6/(fanIn+fanOut)))', () => {
    const net = nn.Sequential(nn.Conv2d(2, 3, { kernelSize: [4, 2] }), nn.Flatten(), nn.Linear(3 * 5 * 7, 4));
    net.apply(xavierUniform());
    return net.stateDict().then((params) => {
      const bound = (name: string) => Math.max(...(params.find((p) => p.name === name)?.data ?? []).map(Math.abs));
      // Conv2d: fanIn 2·4·2 = 16, fanOut 3·4·2 = 24; Linear: 105 and 4.
      expect(bound('0.weight')).toBeLessThanOrEqual(Math.sqrt(6 / 40));
      expect(bound('0.weight')).toBeGreaterThan(0.8 * Math.sqrt(6 / 40));
      expect(bound('0.bias')).toBeLessThanOrEqual(1 / 4);
      expect(bound('2.weight')).toBeLessThanOrEqual(Math.sqrt(6 / 109));
      expect(bound('2.weight')).toBeGreaterThan(0.9 * Math.sqrt(6 / 109));
    });
  });
});
