export { DEFAULT_BACKEND } from './defaults.js';
export { type CliIO, main } from './main.js';
