#!/usr/bin/env node
import { runBin } from '@xbackend/runs';
import { main } from './main.js';

// Ctrl-C (SIGINT) or SIGTERM stops training between batches and saves the last finished epoch (exit 130 / 143; the
// run's metrics say 'interrupted'); a second signal exits at once.
await runBin(main);
