/**
 * What the suite measured for one engine, written when XB_PARITY_DIR is set (CI and `pnpm parity` set it), so that
 * the parity report is made from the suite's own measurements rather than from a second run.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@xbackend/core/node';
import type { CheckName } from './check.js';

export interface CheckRecord {
  readonly name: CheckName;
  readonly title: string;
  readonly relativeTo: string;
  /** The error measured in this run; null when the check threw (see `error`). */
  readonly measured: number | null;
  readonly max: number;
  /** The measurement the tolerance was derived from. */
  readonly toleranceMeasured: number;
  /** Why this check needs what it needs, where the engine's reason does not say it all. */
  readonly reason?: string;
  readonly error?: string;
}

export interface EngineRecord {
  readonly backend: string;
  readonly engine: string;
  readonly description: string;
  /** Why this engine differs from float64 at all. */
  readonly reason: string;
  readonly measuredOn: string;
  readonly checks: CheckRecord[];
}

/** The directory to record into, when recording. */
export function parityDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.XB_PARITY_DIR || undefined;
}

export async function writeEngineRecord(dir: string, record: EngineRecord): Promise<void> {
  // JSON has no Infinity: a non-finite measurement is written as a string and read back as a number.
  const text = JSON.stringify(record, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
  await writeFileAtomic(join(dir, `${record.backend}+${record.engine}.json`), `${text}\n`);
}

export async function readEngineRecords(dir: string): Promise<EngineRecord[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const revive = (key: string, v: unknown) => ((key === 'measured' || key === 'max') && typeof v === 'string' ? Number(v) : v);
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'), revive) as EngineRecord));
}
