#!/usr/bin/env node
import { main } from './main.js';

// Ctrl-C kills the running child and exits without writing a report; a second Ctrl-C exits at once.
const controller = new AbortController();
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});
process.exitCode = await main(process.argv, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
