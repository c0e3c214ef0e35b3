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
  return editedSince(root, SOURCE_DIRS, (name) => name.endsWith('.ts'), builtAt)
    ? null
    : join(root, 'dist', 'cli', 'main.js');
}

/**
 * Whether the web console's build (console/dist, `npm run build:console`) is missing or older than one of its
 * sources; false when this checkout has no console sources (nothing to build).
 */
export function consoleBuildIsStale(root) {
  const sources = join(root, 'console');
  try {
    statSync(join(sources, 'index.html'));
  } catch {
    return false;
  }
  let builtAt;
  try {
    builtAt = statSync(join(sources, 'dist', 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  return editedSince(sources, ['src', '.'], (name, dir) => dir !== '.' || /\.(html|ts)$/.test(name), builtAt);
}

/** Whether a file under `dirs` of `root` (recursively; '.' = only root's own files) passing `take` is newer than `builtAt`. */
function editedSince(root, dirs, take, builtAt) {
  for (const dir of dirs) {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { recursive: dir !== '.', withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isFile() || !take(e.name, dir)) continue;
      if (statSync(join(e.parentPath, e.name)).mtimeMs > builtAt) return true;
    }
  }
  return false;
}
