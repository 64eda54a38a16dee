// Test helper (excluded from the build): a backend that is not in the default registry, registered by path.
import { adapter as reference } from '@xbackend/backend-reference';

export const adapter = { ...reference, name: 'toy', description: "the reference backend's engines under a name of its own" };
