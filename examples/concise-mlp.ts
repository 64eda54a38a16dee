// d2l §4.3, concise MLP: the same script shape with a hidden layer.
// Run: XB_BACKEND=onnxruntime pnpm --filter @xbackend/examples mlp
import { loadBackend, trainCh3 } from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';

const { nn, init, loss, optim } = await loadBackend(process.env.XB_BACKEND ?? 'onnxruntime');

const batchSize = 256;
const [trainIter, testIter] = await loadDataFashionMnist(batchSize);

const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
net.apply(init.normal({ std: 0.01 }));

const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
const trainer = optim.SGD(net.parameters(), { lr: 0.1 });

const numEpochs = 10;
await trainCh3(net, trainIter, testIter, lossFn, numEpochs, trainer);
