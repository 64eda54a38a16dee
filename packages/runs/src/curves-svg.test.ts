import { describe, expect, it } from 'vitest';
import { curvesSvg } from './curves-svg.js';
import type { RunEpoch } from './run-history.js';

const epoch = (e: number, trainLoss: number, trainAcc: number, testAcc: number, valAcc?: number): RunEpoch => ({
  epoch: e,
  trainLoss,
  trainAcc,
  testAcc,
  seconds: 1,
  ...(valAcc === undefined ? {} : { valAcc }),
});

/** The points of the polyline of one series, in SVG coordinates. */
function points(svg: string, label: string): [number, number][] {
  const match = new RegExp(`data-label="${label}"[^>]*points="([^"]*)"`).exec(svg);
  return (match?.[1] ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

describe('curves.svg', () => {
  it('places each epoch on the x axis (1..total) and each value on a 0-based y axis', () => {
    const svg = curvesSvg([epoch(1, 1, 0.5, 0.25), epoch(2, 0.5, 0.75, 0.5)], { totalEpochs: 5, title: 't' });
    // Plot area: x 60..410 for epochs 1..5; y 330 (value 0) .. 40 (value 1).
    expect(points(svg, 'train loss')).toEqual([
      [60, 40],
      [147.5, 185],
    ]);
    expect(points(svg, 'test acc')).toEqual([
      [60, 257.5],
      [147.5, 185],
    ]);
    for (const tick of ['>1</text>', '>5</text>', '>0.4</text>']) expect(svg).toContain(tick);
  });

  it('extends the y axis to a round number above a large loss, and centres a single epoch', () => {
    const svg = curvesSvg([epoch(1, 2.3, 0.1, 0.1)], { totalEpochs: 1, title: 't' });
    expect(svg).toContain('>2.5</text>'); // top tick
    expect(points(svg, 'train loss')[0]?.[0]).toBe(235); // middle of 60..410
  });

  it('draws validation accuracy and the kept epoch when early stopping ran', () => {
    const svg = curvesSvg([epoch(1, 1, 0.5, 0.5, 0.6), epoch(2, 0.8, 0.6, 0.55, 0.58)], {
      totalEpochs: 4,
      title: 'a < b & c',
      bestEpoch: 1,
    });
    expect(points(svg, 'val acc')).toHaveLength(2);
    expect(svg).toContain('>best</text>');
    expect(svg).toContain('<title>a &lt; b &amp; c</title>');
  });
});
