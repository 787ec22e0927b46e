#!/usr/bin/env node
// The `trygg` command: runs the TypeScript CLI through tsx (the workspaces run without a compile step).
import { register } from 'tsx/esm/api';

// eslint-disable-next-line @typescript-eslint/no-unsafe-call -- ESLint's default project for this plain-JS shim cannot resolve tsx's package exports; the call is tsx's documented register().
register();
await import('../src/cli/bin.ts');
