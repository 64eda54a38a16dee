import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { removeAbandonedTemps } from './abandoned-temps.js';

/** `2025-01-31T12-05-09` (UTC): sortable, and valid in file names everywhere (no colons). */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().slice(0, 19).replaceAll(':', '-');
}

function safe(part: string): string {
  return part.replace(/[^\w.-]+/g, '_');
}

/**
 * Creates the run folder: `out` when given (it may exist, e.g. a resumed run; what dead processes left half-written
 * in it and in its checkpoints/ is removed), else `<cwd>/runs/<timestamp>-<backend>-<engine>`, with `-2`, `-3`…
 * appended when two runs start in the same second (mkdir without `recursive` claims a name).
 */
export async function createRunFolder(options: {
  cwd: string;
  out?: string;
  backend: string;
  engine: string;
  now?: Date;
}): Promise<string> {
  if (options.out !== undefined) {
    const dir = resolve(options.cwd, options.out);
    await mkdir(dir, { recursive: true });
    await removeAbandonedTemps(dir);
    await removeAbandonedTemps(join(dir, 'checkpoints'));
    return dir;
  }
  const runs = join(options.cwd, 'runs');
  await mkdir(runs, { recursive: true });
  const base = `${timestamp(options.now)}-${safe(options.backend)}-${safe(options.engine)}`;
  for (let n = 1; ; n++) {
    const dir = join(runs, n === 1 ? base : `${base}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
