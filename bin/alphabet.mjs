#!/usr/bin/env node
// The operator CLI runs straight from the TypeScript sources (no build step): tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
