// Whether bin/alphabet.mjs may run the compiled CLI (dist/, `npm run build:cli`). It may when the build
// stamp is at least as new as every TypeScript source it was compiled from: checking mtimes costs a few
// milliseconds, and a developer who edits a source without rebuilding gets the sources through tsx instead
// of yesterday's build. (Always trusting dist/ and rebuilding in `npm test`/`npm start` would still serve
// stale code to a plain `npx alphabet` after an edit.)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written by bin/build-cli.mjs into dist/; its mtime is the time the build started. */
export const STAMP = '.build-stamp';
/** The folders tsconfig.build.json compiles. */
export const SOURCE_DIRS = [
  'cli',
  'api',
  'config',
  'activities',
  'workflows',
  'workers',
  'shared',
  'scripts',
];

/** The compiled CLI entry's path when dist/ is present and up to date in `root`, else null. */
export function compiledEntry(root) {
  let builtAt;
  try {
    builtAt = statSync(join(root, 'dist', STAMP)).mtimeMs;
  } catch {
    return null;
  }
  for (const dir of SOURCE_DIRS) {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith('.ts')) continue;
      if (statSync(join(e.parentPath, e.name)).mtimeMs > builtAt) return null;
    }
  }
  return join(root, 'dist', 'cli', 'main.js');
}
