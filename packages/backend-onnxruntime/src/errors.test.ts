import { randomBatch, randomParameters, softmaxSpec } from '@xbackend/conformance';
import { InvalidArgumentError, type LayerSpec, type ModelSpec, presetLayers, UnsupportedLayerError, XBackendError } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { gradients } from './autodiff.js';
import { cpuEngine } from './engines.js';
import { buildOnnxModel } from './export.js';
import { GraphBuilder } from './graph.js';
import * as op from './ops.js';
import { GraphSession, loadOrt, OnnxRuntimeError } from './ort.js';

const softmaxRegression = softmaxSpec([1, 3, 4], 5);

const lenet: ModelSpec = { layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 };

describe('errors', () => {
  it('names the first layer it cannot compute in float64 (onnxruntime has float32 Conv and AveragePool kernels only)', async () => {
    const backend = await cpuEngine.create({ dtype: 'float64' });
    const compiling = backend.compile(lenet, randomParameters(lenet, 1, { dtype: 'float64' }));
    await expect(compiling).rejects.toBeInstanceOf(UnsupportedLayerError);
    await expect(compiling).rejects.toThrow(
      /layer 0 \(Conv2d\(1, 6, kernel 5×5, stride 1×1, padding 2×2\)\) in float64: .*use dtype 'float32'/,
    );
    await backend.dispose();
  });

  it('leaves unknown layers to core, which names them before any graph is built', () => {
    const withLstm = { ...softmaxRegression, layers: [{ kind: 'lstm' } as unknown as LayerSpec, ...softmaxRegression.layers] };
    expect(() => buildOnnxModel([], withLstm)).toThrow(/Layer 0 has unknown kind 'lstm'/);
  });

  it('wraps a session-creation error with the graph, the node and its op', async () => {
    const ort = await loadOrt();
    const g = new GraphBuilder('int-gemm');
    const a = g.input('a', 'int32', [2, 2]);
    // onnxruntime has no int32 Gemm kernel, so creating the session fails at this node.
    g.output(op.gemm(g, a, a, undefined), 'out');
    const creating = GraphSession.create(ort, g, { logSeverityLevel: 4 });
    await expect(creating).rejects.toBeInstanceOf(OnnxRuntimeError);
    await expect(creating).rejects.toThrow(/graph 'int-gemm' at node 'n_Gemm_\d+' \(op Gemm\)/);
  });

  it('wraps a run error with the graph, the node and its op', async () => {
    const ort = await loadOrt();
    const g = new GraphBuilder('bad-reshape');
    const a = g.input('a', 'float32', ['N']);
    g.output(op.reshape(g, a, [5]), 'out');
    const session = await GraphSession.create(ort, g, { logSeverityLevel: 4 });
    const running = session.run({ a: new ort.Tensor('float32', new Float32Array(4), [4]) });
    await expect(running).rejects.toThrow(/could not run graph 'bad-reshape' at node 'n_Reshape_\d+' \(op Reshape\)/);
    await session.release();
  });

  it('says which op has no gradient rule', () => {
    const g = new GraphBuilder('no-rule');
    const a = g.input('a', 'float64', [3]);
    const [s] = g.node('Sin', [a], [{ type: 'float64', shape: [3] }]);
    const loss = op.reduceSum(g, s as never, undefined, false);
    expect(() => gradients(g, loss, [a])).toThrow(/no gradient rule for ONNX op Sin \(node n_Sin_\d+\)/);
  });

  it('rejects bad engine options with InvalidArgumentError (batches and parameters are checked by core)', async () => {
    await expect(cpuEngine.create({ threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
    await expect(cpuEngine.create({ dtype: 'float16' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('reports the cuda engine as unavailable with a reason, or runs a step on it', async () => {
    const { cudaEngine } = await import('./engines.js');
    const reason = await cudaEngine.unavailableReason();
    if (reason !== undefined) {
      expect(reason).toMatch(/CUDA/);
      await expect(cudaEngine.create({})).rejects.toBeInstanceOf(XBackendError);
      return;
    }
    const backend = await cudaEngine.create({});
    const model = await backend.compile(softmaxRegression, randomParameters(softmaxRegression, 1));
    const stats = await model.trainStep(randomBatch(softmaxRegression, 4, 1), { lr: 0.1, weightDecay: 0 });
    expect(Number.isFinite(stats.lossSum)).toBe(true);
    await backend.dispose();
  });
});
