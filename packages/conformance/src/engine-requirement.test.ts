import { describe, expect, it } from 'vitest';
import { parseEngineRequirement } from './engine-requirement.js';

describe('XB_REQUIRE_ENGINES', () => {
  it('requires nothing when unset, so that a developer machine skips what it cannot run', () => {
    expect(parseEngineRequirement(undefined).requires('gpujs', 'headlessgl')).toBe(false);
    expect(parseEngineRequirement('').requires('tfjs', 'wasm')).toBe(false);
  });

  it('takes all, backends and backend/engine names, with exemptions', () => {
    const ci = parseEngineRequirement('all,!tfjs/tensorflow,!onnxruntime/cuda');
    expect(ci.requires('gpujs', 'headlessgl')).toBe(true);
    expect(ci.requires('tfjs', 'wasm')).toBe(true);
    expect(ci.requires('tfjs', 'tensorflow')).toBe(false);
    expect(ci.requires('onnxruntime', 'cuda')).toBe(false);
    const some = parseEngineRequirement(' gpujs , tfjs/cpu ');
    expect([some.requires('gpujs', 'webasm'), some.requires('tfjs', 'cpu'), some.requires('tfjs', 'wasm')]).toEqual([true, true, false]);
    expect(parseEngineRequirement('gpujs,!gpujs/headlessgl').requires('gpujs', 'headlessgl')).toBe(false);
  });

  it('rejects an entry it cannot read, saying what it accepts', () => {
    expect(() => parseEngineRequirement('all;tfjs')).toThrow(/'all;tfjs' is not 'all', 'backend', 'backend\/engine'/);
  });
});
