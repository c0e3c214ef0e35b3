#!/usr/bin/env node
// The operator CLI: the compiled JavaScript in dist/ (built at install by `prepare`) when it is up to date
// with the sources, else the TypeScript sources through tsx (compiled on load, a few seconds).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledEntry } from './compiled.mjs';

const entry = compiledEntry(fileURLToPath(new URL('..', import.meta.url)));
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
