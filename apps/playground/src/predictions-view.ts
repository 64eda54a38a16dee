import { getFashionMnistLabels } from '@xbackend/datasets';
import { h } from './dom.ts';
import type { Predictions } from './messages.ts';

/** d2l `predict_ch3`: the first test images, each titled with its true and its predicted label (wrong ones marked). */
export function predictionsView(p: Predictions): HTMLElement {
  const truth = getFashionMnistLabels(p.labels);
  const guess = getFashionMnistLabels(p.predicted);
  const figures = p.labels.map((_, i) => {
    const canvas = h('canvas', { width: p.cols, height: p.rows, 'aria-hidden': 'true' });
    const context = canvas.getContext('2d');
    if (context) {
      const image = context.createImageData(p.cols, p.rows);
      const size = p.rows * p.cols;
      for (let k = 0; k < size; k++) {
        // Fashion-MNIST stores ink as 255 on black; shown dark on light, as d2l's grey plots do.
        const v = 255 - (p.pixels[i * size + k] ?? 0);
        image.data.set([v, v, v, 255], k * 4);
      }
      context.putImageData(image, 0, 0);
    }
    const wrong = p.labels[i] !== p.predicted[i];
    return h(
      'figure',
      { class: wrong ? 'prediction wrong' : 'prediction' },
      canvas,
      h('figcaption', {}, h('span', { class: 'true-label' }, truth[i] ?? ''), h('span', { class: 'predicted-label' }, guess[i] ?? '')),
    );
  });
  const correct = p.labels.filter((label, i) => label === p.predicted[i]).length;
  return h(
    'section',
    { class: 'predictions', 'data-testid': 'predictions' },
    h('h3', {}, `predict_ch3: the first ${p.labels.length} test images (true / predicted), ${correct} right`),
    h('div', { class: 'prediction-grid' }, ...figures),
  );
}
