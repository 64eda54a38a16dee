import { buildTrainGraph } from '../src/model-graphs.js';

const spec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 10 }] as const,
  inputShape: [1, 28, 28],
  numClasses: 10,
};
const g = buildTrainGraph(spec, 'float32');
for (const n of g.nodes)
  console.log(
    n.name.padEnd(40),
    n.inputs.map((v) => `${v.name}${JSON.stringify(v.shape)}`).join(', '),
    '->',
    n.outputs.map((v) => `${v.name}${JSON.stringify(v.shape)}:${v.type}`).join(', '),
  );
console.log(g.nodes.length, 'nodes,', g.encode().length, 'bytes');
