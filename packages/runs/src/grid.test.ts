import {
  type BackendAdapter,
  createRegistry,
  type EngineStatus,
  UnknownBackendError,
  UnknownEngineError,
  XBackendError,
} from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { gridStatuses, planTargets, runGrid } from './grid.js';

const status = (backend: string, engine: string, reason?: string): EngineStatus => ({
  backend,
  engine,
  description: '',
  available: reason === undefined,
  ...(reason ? { reason } : {}),
});

/** What listBackends reports on a machine without a GPU and without tfjs-node's native addon. */
const STATUSES: EngineStatus[] = [
  status('reference', 'float32'),
  status('reference', 'float64'),
  status('onnxruntime', 'cpu'),
  status('onnxruntime', 'cuda', 'no CUDA provider'),
  status('tfjs', 'tensorflow', 'native addon missing'),
  status('tfjs', 'wasm'),
  status('tfjs', 'cpu'),
  status('gpujs', '*', 'package failed to load'),
];

const every = { engines: 'every-available', what: '--backends item' } as const;
const first = { engines: 'first-available', what: '--backends item' } as const;
const labels = (plan: ReturnType<typeof planTargets>) => plan.targets.map((t) => t.label);

describe('planTargets', () => {
  it('without items: every engine that can run here; the others are skipped with their reason', () => {
    const plan = planTargets(STATUSES, every);
    expect(labels(plan)).toEqual(['reference/float32', 'reference/float64', 'onnxruntime/cpu', 'tfjs/wasm', 'tfjs/cpu']);
    expect(plan.skipped).toEqual([
      { label: 'onnxruntime/cuda', reason: 'no CUDA provider' },
      { label: 'tfjs/tensorflow', reason: 'native addon missing' },
      { label: 'gpujs/*', reason: 'package failed to load' },
    ]);
    expect(plan.targets.every((t) => t.unavailable.length === 0)).toBe(true);
  });

  it('a name alone: each available engine, or the first available one (what loadBackend would choose)', () => {
    expect(labels(planTargets(STATUSES, { ...every, requested: ['tfjs'] }))).toEqual(['tfjs/wasm', 'tfjs/cpu']);
    const plan = planTargets(STATUSES, { ...first, requested: ['tfjs', 'reference'] });
    expect(labels(plan)).toEqual(['tfjs/wasm', 'reference/float32']);
    expect(plan.skipped).toEqual([]);
  });

  it('plans an engine named explicitly even when it is unavailable, and says why', () => {
    const [cuda] = planTargets(STATUSES, { ...every, requested: ['onnxruntime/cuda'] }).targets;
    expect(cuda).toEqual({
      backend: 'onnxruntime',
      engine: 'cuda',
      label: 'onnxruntime/cuda',
      unavailable: [{ backend: 'onnxruntime', engine: 'cuda', reason: 'no CUDA provider' }],
    });
  });

  it('plans a backend whose package failed to load when asked for by name, and accepts any engine name for it', () => {
    for (const options of [every, first]) {
      const plan = planTargets(STATUSES, { ...options, requested: ['gpujs', 'gpujs/webasm'] });
      expect(labels(plan)).toEqual(['gpujs', 'gpujs/webasm']);
      expect(plan.targets[0]?.unavailable[0]?.reason).toBe('package failed to load');
    }
  });

  it('a backend with no available engine, asked for by name: one target without an engine, with every reason', () => {
    const statuses = [status('gpu', 'cuda', 'no GPU'), status('gpu', 'rocm', 'no ROCm')];
    for (const options of [every, first]) {
      const [t] = planTargets(statuses, { ...options, requested: ['gpu'] }).targets;
      expect(t?.label).toBe('gpu');
      expect(t?.engine).toBeUndefined();
      expect(t?.unavailable.map((a) => a.reason)).toEqual(['no GPU', 'no ROCm']);
    }
  });

  it('runs an alias on the engines of the backend it stands for, and does not duplicate items', () => {
    const plan = planTargets(STATUSES, {
      ...every,
      aliases: { 'tfjs-idiomatic': 'tfjs' },
      requested: ['tfjs-idiomatic', 'tfjs/wasm', 'tfjs/wasm'],
    });
    expect(labels(plan)).toEqual(['tfjs-idiomatic/wasm', 'tfjs-idiomatic/cpu', 'tfjs/wasm']);
  });

  it('rejects unknown backends, unknown engines and malformed items before anything runs', () => {
    const options = { ...every, aliases: { 'tfjs-idiomatic': 'tfjs' } };
    expect(() => planTargets(STATUSES, { ...options, requested: ['nope'] })).toThrow(UnknownBackendError);
    expect(() => planTargets(STATUSES, { ...options, requested: ['nope'] })).toThrow(
      /Unknown backend 'nope'. Known backends: reference, onnxruntime, tfjs, gpujs, tfjs-idiomatic/,
    );
    expect(() => planTargets(STATUSES, { ...options, requested: ['tfjs/webgpu'] })).toThrow(UnknownEngineError);
    expect(() => planTargets(STATUSES, { ...options, requested: ['tfjs/'] })).toThrow(
      "--backends item 'tfjs/' is not of the form name or name/engine",
    );
  });
});

/** A backend that is not one of xbackend's packages: one engine runs here, one does not. */
const toy: BackendAdapter = {
  name: 'toy',
  description: 'a registry entry given as an adapter object',
  engines: [
    {
      name: 'fast',
      description: 'needs hardware this machine lacks',
      unavailableReason: async () => 'no accelerator here',
      create: () => Promise.reject(new Error('not available')),
    },
    {
      name: 'slow',
      description: 'runs anywhere',
      unavailableReason: async () => undefined,
      create: () => Promise.reject(new Error('planning never creates an engine')),
    },
  ],
};

describe('gridStatuses', () => {
  const registry = createRegistry({ toy });

  it("takes the registry's backends from listBackends, so a registered backend is planned like a shipped one", async () => {
    const statuses = await gridStatuses({ ...first, registry });
    expect(statuses.map((s) => [s.backend, s.engine, s.available])).toEqual([
      ['toy', 'fast', false],
      ['toy', 'slow', true],
    ]);
    expect(labels(planTargets(statuses, { ...first, requested: ['toy'] }))).toEqual(['toy/slow']);
  });

  it('adds a requested path under the name it was given; one that cannot be loaded becomes engine *', async () => {
    const missing = './no-such-adapter.js';
    const statuses = await gridStatuses({ ...every, registry, requested: ['toy', missing] });
    const failed = statuses.find((s) => s.backend === missing);
    expect(failed).toMatchObject({ engine: '*', available: false });
    expect(failed?.reason).toContain('no-such-adapter.js');
    expect(labels(planTargets(statuses, { ...every, requested: [missing] }))).toEqual([missing]);
  });

  it('names the registry and the aliases when an item is no backend at all', async () => {
    await expect(gridStatuses({ ...every, registry, aliases: { mine: 'toy' }, requested: ['nope'] })).rejects.toThrow(
      /^Unknown backend 'nope'. Known backends: toy, mine\./,
    );
  });
});

describe('runGrid', () => {
  it('runs every cell in order; a cell that throws becomes a failed result and the others still run', async () => {
    const events: string[] = [];
    const results = await runGrid(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw new XBackendError('BROKEN', 'cell 2 broke');
        return `ok ${n}`;
      },
      (n, error) => `failed ${n}: ${(error as Error).message}`,
      { onStart: (n, i, total) => events.push(`start ${n} ${i}/${total}`), onEnd: (_n, r) => events.push(r) },
    );
    expect(results).toEqual(['ok 1', 'failed 2: cell 2 broke', 'ok 3']);
    expect(events).toEqual(['start 1 1/3', 'ok 1', 'start 2 2/3', 'failed 2: cell 2 broke', 'start 3 3/3', 'ok 3']);
  });

  it('an abort ends the grid with the AbortError: no failed result, no further cell', async () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const grid = runGrid(
      [1, 2, 3],
      async (n) => {
        ran.push(n);
        if (n === 2) {
          controller.abort();
          throw new DOMException('stopped', 'AbortError');
        }
        return n;
      },
      () => -1,
      { signal: controller.signal },
    );
    await expect(grid).rejects.toMatchObject({ name: 'AbortError' });
    expect(ran).toEqual([1, 2]);
  });
});
