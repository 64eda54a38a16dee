// d2l §7.6, LeNet: the softmax script with the book's convolutional net, its Xavier init and lr 0.9.
// Run: XB_BACKEND=tfjs/wasm pnpm --filter @xbackend/examples lenet   (backend name, optionally /engine)
import { loadBackend, trainCh3 } from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';

const { nn, init, loss, optim } = await loadBackend(process.env.XB_BACKEND ?? 'onnxruntime');

const batchSize = 256;
const [trainIter, testIter] = await loadDataFashionMnist(batchSize);

const net = nn.Sequential(
  nn.Conv2d(1, 6, { kernelSize: 5, padding: 2 }),
  nn.Sigmoid(),
  nn.AvgPool2d({ kernelSize: 2, stride: 2 }),
  nn.Conv2d(6, 16, { kernelSize: 5 }),
  nn.Sigmoid(),
  nn.AvgPool2d({ kernelSize: 2, stride: 2 }),
  nn.Flatten(),
  nn.Linear(16 * 5 * 5, 120),
  nn.Sigmoid(),
  nn.Linear(120, 84),
  nn.Sigmoid(),
  nn.Linear(84, 10),
);
net.apply(init.xavierUniform());

const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
const trainer = optim.SGD(net.parameters(), { lr: 0.9 });

const numEpochs = 10;
await trainCh3(net, trainIter, testIter, lossFn, numEpochs, trainer);
