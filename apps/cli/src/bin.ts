#!/usr/bin/env node
import { runBin } from '@xbackend/runs';
import { main } from './main.js';

// Ctrl-C stops training between batches (the run's metrics say 'interrupted'); a second Ctrl-C exits at once.
await runBin(main);
