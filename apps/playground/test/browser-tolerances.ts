// Test helper: every browser engine's tolerances, from where each adapter states them (its src/tolerances.ts, the
// reference's in the conformance package), keyed `backend/engine` as the page lists the engines.
import type { BrowserEngineTolerances, BrowserTolerances } from '@xbackend/conformance';
import { BROWSER_TOLERANCES as GPUJS } from '../../../packages/backend-gpujs/src/tolerances.ts';
import { BROWSER_TOLERANCES as ONNXRUNTIME } from '../../../packages/backend-onnxruntime/src/tolerances.ts';
import { BROWSER_TOLERANCES as TFJS } from '../../../packages/backend-tfjs/src/tolerances.ts';
import { REFERENCE_BROWSER_TOLERANCES as REFERENCE } from '../../../packages/conformance/src/reference-tolerances.ts';

const BY_BACKEND: Readonly<Record<string, BrowserTolerances>> = {
  reference: REFERENCE,
  onnxruntime: ONNXRUNTIME,
  tfjs: TFJS,
  gpujs: GPUJS,
};

export const BROWSER_TOLERANCES: Readonly<Record<string, BrowserEngineTolerances>> = Object.fromEntries(
  Object.entries(BY_BACKEND).flatMap(([backend, engines]) => Object.entries(engines).map(([engine, t]) => [`${backend}/${engine}`, t])),
);
