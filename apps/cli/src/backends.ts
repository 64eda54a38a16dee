import { type EngineStatus, listBackends } from '@xbackend/core';
import type { Command } from 'commander';
import type { CommandContext } from './command-options.js';
import { DEFAULT_BACKEND } from './defaults.js';

/** One line per engine; reasons are indented under it, since they can be long and span lines. */
export function formatBackends(statuses: readonly EngineStatus[]): string[] {
  const width = Math.max(...statuses.map((s) => `${s.backend}/${s.engine}`.length), 10);
  const lines: string[] = [];
  statuses.forEach((s, i) => {
    const name = `${s.backend}/${s.engine}`.padEnd(width);
    const firstOfDefault = s.backend === DEFAULT_BACKEND && statuses[i - 1]?.backend !== s.backend;
    const defaultMark = firstOfDefault ? ' [default backend]' : '';
    lines.push(`${name}  ${s.available ? 'available  ' : 'unavailable'}  ${s.description}${defaultMark}`.trimEnd());
    if (!s.available && s.reason) for (const line of s.reason.split('\n')) lines.push(`${' '.repeat(width + 2)}  ${line}`);
  });
  return lines;
}

export function defineBackends(cmd: Command, ctx: CommandContext): Command {
  return cmd
    .description('list every backend and engine, whether it can run here, and if not why and how to fix it')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { json?: boolean }) => {
      const statuses = await listBackends({ registry: ctx.registry, resolveFrom: ctx.resolveFrom });
      if (flags.json) ctx.console.out(JSON.stringify(statuses, null, 2));
      else for (const line of formatBackends(statuses)) ctx.console.out(line);
    });
}
