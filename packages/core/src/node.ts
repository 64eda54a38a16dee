/** Node-only helpers (`@xbackend/core/node`): the main entry imports nothing from `node:`, so it also runs in a browser. */
export { writeFileAtomic } from './write-file-atomic.js';
