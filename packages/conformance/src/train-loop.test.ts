import {
  BackendUnavailableError,
  DivergenceError,
  defaultRegistry,
  listBackends,
  loadBackend,
  SanityCheckError,
  trainCh3,
} from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';
import { describe, expect, it } from 'vitest';
import { quadrantData } from './train-loop-suite.js';

async function train(backend: string, epochs: number, lr = 0.5, extra: Parameters<typeof trainCh3>[6] = {}) {
  const { nn, init, loss, optim } = await loadBackend(backend, { seed: 3 });
  const [trainIter, testIter] = quadrantData();
  const net = nn.Sequential(nn.Flatten(), nn.Linear(16, 4));
  net.apply(init.normal({ std: 0.01 }));
  const trainer = optim.SGD(net.parameters(), { lr });
  const result = await trainCh3(net, trainIter, testIter, loss.CrossEntropyLoss({ reduction: 'none' }), epochs, trainer, {
    log: false,
    sanityChecks: 'report',
    ...extra,
  });
  return { ...result, net };
}

describe('trainCh3 (d2l semantics, on the reference backend)', () => {
  it('notices an abort within a step or so, even on a backend that computes on the JavaScript thread', async () => {
    const { nn, init, loss, optim } = await loadBackend('reference/float32');
    const [trainIter, testIter] = await loadDataFashionMnist(256);
    const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)).apply(init.normal({ std: 0.01 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    let steps = 0;
    const error = await trainCh3(net, trainIter, testIter, loss.CrossEntropyLoss(), 1, optim.SGD(net.parameters(), { lr: 0.1 }), {
      log: false,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'batch') steps = e.batch;
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop');
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(trainIter.numBatches / 2);
  });

  it("reports d2l's sanity checks, and throws them by default", async () => {
    const { checks } = await train('reference/float64', 1, 1e-4);
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['train loss < 0.5', false],
      ['0.7 < train acc <= 1', expect.any(Boolean)],
      ['0.7 < test acc <= 1', expect.any(Boolean)],
    ]);
    await expect(train('reference/float64', 1, 1e-4, { sanityChecks: 'throw' })).rejects.toThrow(SanityCheckError);
    await expect(train('reference/float64', 1, 1e-4, { sanityChecks: 'throw' })).rejects.toThrow(
      /sanity checks failed:\n {2}- train loss < 0\.5 \(train loss 1\.3\d+\)/,
    );
  });

  it('stops at the first non-finite loss, naming the step and the learning rate', async () => {
    const { nn, init, loss, optim } = await loadBackend('reference/float32');
    const [trainIter, testIter] = await loadDataFashionMnist(256);
    const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)).apply(init.normal({ std: 0.01 }));
    const error = await trainCh3(net, trainIter, testIter, loss.CrossEntropyLoss(), 1, optim.SGD(net.parameters(), { lr: 1e38 }), {
      log: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toBe(
      'Training diverged: the loss is NaN at epoch 1, step 2 (lr 1e+38). Try a smaller learning rate (e.g. --lr 1e+37) or a smaller init std; no weights were saved from this step.',
    );
  });

  it('prints which backend and engine it trains on', async () => {
    const lines: string[] = [];
    await train('reference', 1, 0.5, { log: (line) => lines.push(line) });
    expect(lines[0]).toBe('training on reference/float32 (float32)');
    expect(lines[1]).toMatch(/^epoch 1: train loss \d\.\d{4}, train acc \d\.\d{4}, test acc \d\.\d{4} \(\d+\.\d\d s\)$/);
  });
});

describe('loadBackend with the registered backends', async () => {
  it('reports the chosen engine and never switches backends', async () => {
    expect((await loadBackend('reference')).engine).toBe('float32');
    expect((await loadBackend('reference', { engine: 'float64' })).engine).toBe('float64');
    await expect(loadBackend('reference/float16')).rejects.toThrow(
      "Backend 'reference' has no engine 'float16'. Its engines: float32, float64.",
    );
    await expect(loadBackend('torch')).rejects.toThrow(`Unknown backend 'torch'. Known backends: ${defaultRegistry.names.join(', ')}.`);
  });

  const statuses = await listBackends();
  const unavailable = statuses.filter((s) => !s.available);
  if (unavailable.length === 0) it.skip('not run here: every registered engine is available, so none has an error to explain', () => {});
  it.each(unavailable.map((s) => [`${s.backend}/${s.engine}`, s] as const))(
    'explains why %s is unavailable, and loading it by name fails with that reason',
    async (name, status) => {
      const error = await loadBackend(status.engine === '*' ? status.backend : name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toContain(`Backend '${status.backend}' is not available. Tried:`);
      expect((error as Error).message).toContain(status.reason);
    },
  );

  it('lists every engine of every registered backend, with a reason for each unavailable one', () => {
    expect([...new Set(statuses.map((s) => s.backend))]).toEqual(defaultRegistry.names);
    for (const s of statuses) expect(s.available || (s.reason?.length ?? 0) > 10).toBe(true);
  });
});
