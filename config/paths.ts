import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The team's real odds data (`../shared/data` beside the checkout). Never copied into the repo;
 * ALPHABET_SHARED_DATA points elsewhere.
 */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ALPHABET_SHARED_DATA ?? resolve(PROJECT_ROOT, '../shared/data');
}
