import { describe, expect, it } from 'vitest';
import type { LayerSpec } from './backend.js';
import { layerShapes, parameterShapes } from './layer-shapes.js';
import { presetLayers } from './models.js';

const conv = (inChannels: number, outChannels: number, k: number, padding = 0, stride = 1): LayerSpec => ({
  kind: 'conv2d',
  inChannels,
  outChannels,
  kernelSize: [k, k],
  stride: [stride, stride],
  padding: [padding, padding],
});
const pool = (kind: 'avgpool2d' | 'maxpool2d', k: number, stride = k): LayerSpec => ({
  kind,
  kernelSize: [k, k],
  stride: [stride, stride],
});

describe('layerShapes', () => {
  it("follows LeNet's shapes as the book prints them", () => {
    expect(layerShapes(presetLayers('lenet', [1, 28, 28], 10), [1, 28, 28])).toEqual([
      [6, 28, 28],
      [6, 28, 28],
      [6, 14, 14],
      [16, 10, 10],
      [16, 10, 10],
      [16, 5, 5],
      [400],
      [120],
      [120],
      [84],
      [84],
      [10],
    ]);
  });

  it('drops the rows and columns that do not fill a window (odd sizes), and applies stride and padding per axis', () => {
    expect(layerShapes([pool('maxpool2d', 2)], [3, 7, 5])).toEqual([[3, 3, 2]]);
    expect(layerShapes([pool('avgpool2d', 3, 2)], [1, 7, 8])).toEqual([[1, 3, 3]]);
    const strided: LayerSpec = { kind: 'conv2d', inChannels: 2, outChannels: 4, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] };
    expect(layerShapes([strided], [2, 9, 6])).toEqual([[4, 5, 5]]);
  });

  it('names the first layer that does not fit what it receives', () => {
    expect(() => layerShapes([conv(3, 6, 5)], [1, 28, 28])).toThrow(
      'Layer 0 Conv2d(3, 6, kernel 5×5, stride 1×1, padding 0×0) needs 3 input channels, but receives [1,28,28].',
    );
    expect(() => layerShapes([{ kind: 'flatten' }, conv(1, 6, 5)], [1, 28, 28])).toThrow(
      'Layer 1 Conv2d(1, 6, kernel 5×5, stride 1×1, padding 0×0) needs examples of [channels, height, width], but receives [784].',
    );
    expect(() => layerShapes([conv(1, 2, 3), pool('avgpool2d', 4), pool('avgpool2d', 4)], [1, 10, 10])).toThrow(
      'Layer 2 AvgPool2d(kernel 4×4, stride 4×4) receives [2,2,2]: its window does not fit (output 0×0).',
    );
    const lenet = presetLayers('lenet', [1, 28, 28], 10);
    expect(() => layerShapes(lenet, [1, 20, 20])).toThrow('Layer 7 Linear(400, 120) receives 144 features.');
    expect(() => layerShapes([conv(1, 2, 3), { kind: 'linear', inFeatures: 8, outFeatures: 2 }], [1, 4, 4])).toThrow(
      'Layer 1 (Linear(8, 2)) needs a Flatten before it: it receives [2,2,2].',
    );
  });

  it('rejects malformed window layers with the layer named', () => {
    const zeroStride: LayerSpec = { kind: 'maxpool2d', kernelSize: [2, 2], stride: [0, 2] };
    expect(() => layerShapes([zeroStride], [1, 4, 4])).toThrow(
      'Layer 0 MaxPool2d(kernel 2×2, stride 0×2): kernel size and stride must be pairs',
    );
    const negativePadding = { ...conv(1, 2, 3), padding: [-1, 0] } as unknown as LayerSpec;
    expect(() => layerShapes([negativePadding], [1, 4, 4])).toThrow('padding must be a pair of integers >= 0');
  });
});

describe('parameterShapes', () => {
  it('gives Conv2d weights in OIHW and a bias per output channel', () => {
    expect(parameterShapes(presetLayers('lenet', [1, 28, 28], 10))).toEqual([
      { name: '0.weight', shape: [6, 1, 5, 5] },
      { name: '0.bias', shape: [6] },
      { name: '3.weight', shape: [16, 6, 5, 5] },
      { name: '3.bias', shape: [16] },
      { name: '7.weight', shape: [120, 400] },
      { name: '7.bias', shape: [120] },
      { name: '9.weight', shape: [84, 120] },
      { name: '9.bias', shape: [84] },
      { name: '11.weight', shape: [10, 84] },
      { name: '11.bias', shape: [10] },
    ]);
  });
});
