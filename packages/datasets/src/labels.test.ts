import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_LABELS, getFashionMnistLabels } from './labels.js';

describe('Fashion-MNIST text labels', () => {
  it("are d2l's ten labels in class order", () => {
    expect(FASHION_MNIST_LABELS).toHaveLength(10);
    expect(FASHION_MNIST_LABELS[0]).toBe('t-shirt');
    expect(FASHION_MNIST_LABELS[9]).toBe('ankle boot');
  });

  it('map class indices like get_fashion_mnist_labels and reject others', () => {
    expect(getFashionMnistLabels(Int32Array.from([9, 2, 1]))).toEqual(['ankle boot', 'pullover', 'trouser']);
    expect(() => getFashionMnistLabels([10])).toThrow(/labels are integers 0..9, got 10/);
    expect(() => getFashionMnistLabels([1.5])).toThrow(/got 1.5/);
  });
});
