import type { RunEpoch } from '@xbackend/runs';

/** The per-epoch table printed as training runs: a header once, then one row per epoch. */
export function epochTableHeader(withValidation: boolean): string[] {
  const header = ['epoch', 'train loss', 'train acc', ...(withValidation ? ['val acc'] : []), 'test acc', 'seconds'];
  return [
    header.map((h, i) => (i === 0 ? h.padEnd(5) : h.padStart(10))).join('  '),
    header.map((h, i) => '-'.repeat(i === 0 ? 5 : Math.max(10, h.length))).join('  '),
  ];
}

/** Four decimals, as d2l prints; exponent notation when a diverging loss would break the columns. */
function metric(value: number): string {
  return Math.abs(value) < 1e5 ? value.toFixed(4) : value.toExponential(3);
}

export function epochTableRow(m: RunEpoch, withValidation: boolean, note = ''): string {
  const cells = [
    String(m.epoch).padEnd(5),
    metric(m.trainLoss).padStart(10),
    m.trainAcc.toFixed(4).padStart(10),
    ...(withValidation ? [(m.valAcc ?? Number.NaN).toFixed(4).padStart(10)] : []),
    m.testAcc.toFixed(4).padStart(10),
    m.seconds.toFixed(2).padStart(10),
  ];
  return `${cells.join('  ')}${note ? `  ${note}` : ''}`;
}
