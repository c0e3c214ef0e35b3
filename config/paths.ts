import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const above = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The checkout, whether this module runs from the sources or compiled into dist/ (`npm run build:cli`). */
export const PROJECT_ROOT = basename(above) === 'dist' ? dirname(above) : above;

/**
 * The team's real odds data (`../shared/data` beside the checkout). Never copied into the repo;
 * ALPHABET_SHARED_DATA points elsewhere.
 */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ALPHABET_SHARED_DATA ?? resolve(PROJECT_ROOT, '../shared/data');
}
