import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { XBackendError } from './errors.js';

/**
 * Writes a file so that readers see the old content or the new one, never half of it: temp file in the same
 * directory, fsync, rename. On failure the temp file is removed and the error names the path.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new XBackendError('WRITE_FAILED', `Could not write ${path}: ${reason}`, { cause });
  }
}
