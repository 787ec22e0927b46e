#!/usr/bin/env node
// The `trygg` command: runs the TypeScript CLI through tsx (the workspaces run without a compile step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
