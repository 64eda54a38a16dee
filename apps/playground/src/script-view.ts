import { type LayerSpec, type ModelPreset, type Pair, presetLayers } from '@xbackend/core';
import { presetInit, type WeightInit } from '@xbackend/runs/weight-init';
import type { Settings } from './controls.ts';
import { h } from './dom.ts';
import { MODEL_NAMES } from './model-names.ts';

/** A kernel size, stride or padding as PyTorch code writes it: one number when both axes agree. */
function pairCode([a, b]: Pair): string {
  return a === b ? String(a) : `[${a}, ${b}]`;
}

/** A layer as the examples write it, e.g. `nn.Conv2d(1, 6, { kernelSize: 5, padding: 2 })`. */
function layerCode(layer: LayerSpec): string {
  switch (layer.kind) {
    case 'flatten':
      return 'nn.Flatten()';
    case 'relu':
      return 'nn.ReLU()';
    case 'sigmoid':
      return 'nn.Sigmoid()';
    case 'linear':
      return `nn.Linear(${layer.inFeatures}, ${layer.outFeatures})`;
    case 'conv2d': {
      const options = [
        `kernelSize: ${pairCode(layer.kernelSize)}`,
        ...(layer.stride.some((s) => s !== 1) ? [`stride: ${pairCode(layer.stride)}`] : []),
        ...(layer.padding.some((p) => p !== 0) ? [`padding: ${pairCode(layer.padding)}`] : []),
      ];
      return `nn.Conv2d(${layer.inChannels}, ${layer.outChannels}, { ${options.join(', ')} })`;
    }
    case 'avgpool2d':
    case 'maxpool2d':
      return `nn.${layer.kind === 'avgpool2d' ? 'AvgPool2d' : 'MaxPool2d'}({ kernelSize: ${pairCode(layer.kernelSize)}, stride: ${pairCode(layer.stride)} })`;
  }
}

/** `const net = nn.Sequential(...)` on one line when it is short, else a layer per line (as examples/lenet.ts). */
function netCode(model: ModelPreset): string[] {
  const layers = presetLayers(model, [1, 28, 28], 10).map(layerCode);
  const oneLine = `const net = nn.Sequential(${layers.join(', ')});`;
  return oneLine.length <= 100 ? [oneLine] : ['const net = nn.Sequential(', ...layers.map((l) => `  ${l},`), ');'];
}

function initCode(init: WeightInit): string {
  return init.kind === 'normal' ? `init.normal({ std: ${init.std} })` : 'init.xavierUniform()';
}

/** The script the worker runs (script.ts), with the page's model and values: the same lines as the Node examples. */
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
    ...netCode(s.model),
    `net.apply(${initCode(presetInit(s.model))});`,
    '',
    "const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });",
    `const trainer = optim.SGD(net.parameters(), { lr: ${s.lr} });`,
    '',
    `const numEpochs = ${s.epochs};`,
    'await trainCh3(net, trainIter, testIter, lossFn, numEpochs, trainer);',
  ].join('\n');
  return h(
    'details',
    { class: 'script', 'data-testid': 'script' },
    h('summary', {}, `The script (d2l ${MODEL_NAMES[s.model].section}, ${MODEL_NAMES[s.model].name}), as this run calls it`),
    h('pre', {}, h('code', {}, code)),
  );
}
