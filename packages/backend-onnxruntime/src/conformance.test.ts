import { describeBackend } from '@xbackend/conformance';
import { adapter } from './adapter.js';
import { TOLERANCES } from './tolerances.js';

describeBackend(adapter, { tolerances: TOLERANCES });
