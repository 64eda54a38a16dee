import { escapeXml, svgDocument } from '@xbackend/runs';
import { grayscalePng } from './png.js';

export interface Prediction {
  /** Pixels in [0, 1], row-major `rows × cols` (the first channel of the example). */
  readonly pixels: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
  readonly trueLabel: string;
  readonly predictedLabel: string;
}

/**
 * d2l `predict_ch3`: the images in a row with the true label over the predicted one under each; each image is an
 * embedded PNG drawn pixelated, and mistakes get a red frame, a red prediction and a ✗.
 */
export function predictionsSvg(predictions: readonly Prediction[], title: string): string {
  const scale = 3;
  const perRow = Math.min(8, Math.max(1, predictions.length));
  const cell = { width: 124, height: 0 };
  const imageSize = Math.max(...predictions.map((p) => Math.max(p.rows, p.cols) * scale), 28 * scale);
  cell.height = imageSize + 52;
  const top = 34;
  const width = perRow * cell.width + 16;
  const height = top + Math.ceil(predictions.length / perRow) * cell.height + 8;
  const body = [`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`];
  predictions.forEach((p, i) => {
    const x = 8 + (i % perRow) * cell.width;
    const y = top + Math.floor(i / perRow) * cell.height;
    const correct = p.trueLabel === p.predictedLabel;
    const href = `data:image/png;base64,${grayscalePng(p.pixels, p.rows, p.cols).toString('base64')}`;
    const ix = x + (cell.width - p.cols * scale) / 2;
    body.push(`<g class="prediction ${correct ? 'correct' : 'mistake'}">`);
    body.push(
      `<image x="${ix}" y="${y}" width="${p.cols * scale}" height="${p.rows * scale}" style="image-rendering:pixelated" href="${href}"/>`,
    );
    if (!correct)
      body.push(
        `<rect x="${ix - 2}" y="${y - 2}" width="${p.cols * scale + 4}" height="${p.rows * scale + 4}" fill="none" stroke="#d62728" stroke-width="3"/>`,
      );
    const cx = x + cell.width / 2;
    body.push(`<text x="${cx}" y="${y + imageSize + 18}" text-anchor="middle">${escapeXml(p.trueLabel)}</text>`);
    const predicted = correct ? escapeXml(p.predictedLabel) : `✗ ${escapeXml(p.predictedLabel)}`;
    body.push(
      `<text x="${cx}" y="${y + imageSize + 36}" text-anchor="middle" fill="${correct ? '#1f77b4' : '#d62728'}">${predicted}</text>`,
    );
    body.push('</g>');
  });
  body.push(`<text x="8" y="${height - 4}" font-size="10" fill="#666">upper: true label, lower: prediction</text>`);
  return svgDocument(width, height + 8, body, title);
}
