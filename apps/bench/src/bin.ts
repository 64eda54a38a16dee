#!/usr/bin/env node
import { runBin } from '@xbackend/runs';
import { main } from './main.js';

// Ctrl-C kills the running child and exits without writing a report; a second Ctrl-C exits at once.
await runBin(main);
