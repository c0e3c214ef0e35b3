import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '../../config/paths';

/** Path inside ../shared/data, or null (tests then skip with a message) when the folder is absent. */
export function sharedData(...parts: string[]): string | null {
  const path = join(sharedDataDir(), ...parts);
  if (existsSync(path)) return path;
  process.stderr.write(
    `skipping: ${path} is absent (the team's data folder ../shared/data; set ALPHABET_SHARED_DATA)\n`,
  );
  return null;
}
