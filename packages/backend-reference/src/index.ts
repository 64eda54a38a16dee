export { adapter } from './adapter.js';
export { ReferenceModel } from './reference-model.js';
