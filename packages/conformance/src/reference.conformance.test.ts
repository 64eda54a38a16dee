import { adapter } from '@xbackend/backend-reference';
import { describeBackend } from './describe-backend.js';
import { REFERENCE_TOLERANCES } from './reference-tolerances.js';

// backend-reference cannot run this suite itself (conformance depends on it), so it runs here. Its float64 engine is
// the oracle, never compared with itself: finite differences (backend-reference's tests) and the book's published
// numbers (example-scripts.test.ts) check it instead.
describeBackend(adapter, { engines: ['float32'], tolerances: REFERENCE_TOLERANCES });
