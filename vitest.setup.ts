import { beforeEach, expect } from 'vitest';

// No test may pass without checking anything (e.g. by returning early): a skip must be explicit and say why.
beforeEach(() => {
  expect.hasAssertions();
});
