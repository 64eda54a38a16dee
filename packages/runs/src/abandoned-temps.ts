import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The process id in the name of a temporary entry that a write in progress owns: a checkpoint being saved
 * (`.tmp-<name>-pid<P>-<hex>`, a directory) or a file being replaced by core's `writeFileAtomic`
 * (`.<name>.<P>.<hex>.tmp`, e.g. `.latest.<P>.<hex>.tmp`). Anything else is not ours to remove.
 */
function ownerPid(name: string): number | undefined {
  const match = /^\.tmp-.*-pid(\d+)-[0-9a-f]+$/.exec(name) ?? /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
  const pid = Number(match?.[1]);
  return Number.isSafeInteger(pid) ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what writes left in `dir` when their process died mid-write (killed, power loss): temporary checkpoint
 * directories and `writeFileAtomic` temp files, which can be 0 bytes. Entries of live processes (another run writing
 * into the same folder, or this one) are left alone. A missing `dir` is fine.
 */
export async function removeAbandonedTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = ownerPid(name);
    if (pid !== undefined && pid !== process.pid && !isAlive(pid)) await rm(join(dir, name), { recursive: true, force: true });
  }
}
