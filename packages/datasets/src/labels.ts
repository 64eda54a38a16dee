import { InvalidArgumentError } from '@xbackend/core';

/** d2l's text labels (`get_fashion_mnist_labels`), indexed by class. */
export const FASHION_MNIST_LABELS = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle boot',
] as const;

export type FashionMnistLabel = (typeof FASHION_MNIST_LABELS)[number];

/** d2l `get_fashion_mnist_labels`: class indices to text labels. */
export function getFashionMnistLabels(labels: Iterable<number>): FashionMnistLabel[] {
  return Array.from(labels, (label) => {
    const text = Number.isInteger(label) ? FASHION_MNIST_LABELS[label] : undefined;
    if (text === undefined) throw new InvalidArgumentError(`Fashion-MNIST labels are integers 0..9, got ${label}.`);
    return text;
  });
}
