import type { Settings } from './controls.ts';
import { h } from './dom.ts';

/** The script the worker runs (script.ts), with the page's values: the same lines as the Node example. */
export function scriptView(s: Settings): HTMLElement {
  const code = [
    "import { loadBackend, trainCh3 } from '@xbackend/core';",
    "import { loadDataFashionMnist } from '@xbackend/datasets';",
    '',
    `const { nn, init, loss, optim } = await loadBackend('${s.backend}', { registry, seed: ${s.seed} });`,
    '',
    `const batchSize = ${s.batchSize};`,
    `const [trainIter, testIter] = await loadDataFashionMnist(batchSize, { seed: ${s.seed} });`,
    '',
    'const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10));',
    'net.apply(init.normal({ std: 0.01 }));',
    '',
    "const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });",
    `const trainer = optim.SGD(net.parameters(), { lr: ${s.lr} });`,
    '',
    `const numEpochs = ${s.epochs};`,
    'await trainCh3(net, trainIter, testIter, lossFn, numEpochs, trainer);',
  ].join('\n');
  return h(
    'details',
    { class: 'script' },
    h('summary', {}, 'The script (d2l §3.7), as this run calls it'),
    h('pre', {}, h('code', {}, code)),
  );
}
