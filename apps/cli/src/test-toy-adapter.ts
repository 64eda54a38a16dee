// Test helper (excluded from the build): an adapter outside the registry, loaded by its path, under a name of its own.
import { adapter as reference } from '@xbackend/backend-reference';
import type { BackendAdapter, BackendOptions } from '@xbackend/core';

export const adapter: BackendAdapter = {
  name: 'toy',
  description: "the reference backend's engines under a name of its own",
  engines: reference.engines.map((engine) => ({
    ...engine,
    create: async (options: BackendOptions) => ({ ...(await engine.create(options)), name: 'toy' }),
  })),
};
