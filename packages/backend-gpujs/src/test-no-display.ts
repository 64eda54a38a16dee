/**
 * Test helper run as a child process without DISPLAY (see engines.test.ts): prints what the 'headlessgl' engine
 * reports, and what core's createBackend does when that engine is named, as one JSON line.
 */
import { createBackend } from '@xbackend/core';
import { engines } from './engines.js';

const reason = await engines.find((e) => e.name === 'headlessgl')?.unavailableReason();
let error: { name: string; message: string } | undefined;
let engine: string | undefined;
try {
  const backend = await createBackend('gpujs/headlessgl', { resolveFrom: import.meta.filename });
  engine = backend.engine;
  await backend.dispose();
} catch (e) {
  error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'unknown', message: String(e) };
}
process.stdout.write(`${JSON.stringify({ reason, error, engine })}\n`);
