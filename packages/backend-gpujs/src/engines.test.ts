import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BackendUnavailableError, createBackend, InvalidArgumentError, UnknownEngineError } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { adapter } from './index.js';
import { modes } from './test-modes.js';

describe('gpujs adapter', () => {
  it("is named 'gpujs' with engines headlessgl, webasm, cpu in priority order", () => {
    expect(adapter.name).toBe('gpujs');
    expect(adapter.engines.map((e) => e.name)).toEqual(['headlessgl', 'webasm', 'cpu']);
  });

  it('webasm and cpu are always available; every reason is a sentence that says how to fix it', async () => {
    for (const engine of adapter.engines) {
      const reason = await engine.unavailableReason();
      if (engine.name !== 'headlessgl') expect(reason).toBeUndefined();
      if (reason) expect(reason).toMatch(/xvfb-run -a|npm_config_nodedir=\/usr|webasm/);
    }
  });

  it('without an engine named, core picks the first available one and reports it', async () => {
    const first = modes.find((m) => !m.unavailable)?.mode;
    const backend = await createBackend('gpujs');
    try {
      expect(backend.name).toBe('gpujs');
      expect(backend.engine).toBe(first);
      expect(backend.details.mode).toBe(first);
      expect(backend.dtype).toBe('float32');
    } finally {
      await backend.dispose();
    }
  });

  it('a named engine is used as named', async () => {
    const backend = await createBackend('gpujs/cpu');
    expect(backend.engine).toBe('cpu');
    await backend.dispose();
  });

  it('rejects float64 and unknown engines with errors that say what to use instead', async () => {
    await expect(createBackend('gpujs', { engine: 'webasm', dtype: 'float64' })).rejects.toThrow(InvalidArgumentError);
    await expect(createBackend('gpujs', { engine: 'webasm', dtype: 'float64' })).rejects.toThrow(/float32.*reference backend/);
    await expect(createBackend('gpujs/webgpu')).rejects.toThrow(UnknownEngineError);
    await expect(createBackend('gpujs/webgpu')).rejects.toThrow(/headlessgl, webasm, cpu/);
  });

  it('headlessgl named without a display is an error saying to run under xvfb-run -a, not a silent fallback', async () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.XAUTHORITY;
    const script = fileURLToPath(new URL('./test-no-display.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
      env,
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    const result = JSON.parse(stdout) as { reason?: string; error?: { name: string; message: string }; engine?: string };
    expect(result.engine).toBeUndefined();
    expect(result.error?.name).toBe(BackendUnavailableError.name);
    expect(result.error?.message).toContain('gpujs/headlessgl');
    // Where `gl` is built the missing display is the reason; where it is not, the build instructions are.
    const expected = /no X display.*xvfb-run -a|npm_config_nodedir=\/usr.*libglew-dev|libglew-dev.*npm_config_nodedir=\/usr/s;
    expect(result.reason).toMatch(expected);
    expect(result.error?.message).toMatch(expected);
  });
});
