#!/usr/bin/env node
// The package's bin: loads tsx from this package (not from the caller's folder, as `npx tsx` would), so
// `threadline` works from any directory, then runs the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
