/** Written by bin/build-cli.mjs into dist/; its mtime is the time the build started. */
export const STAMP: string;
/** The folders tsconfig.build.json compiles. */
export const SOURCE_DIRS: readonly string[];
/** The compiled CLI entry's path when dist/ is present and up to date in `root`, else null. */
export function compiledEntry(root: string): string | null;
/**
 * Whether the web console's build (console/dist, `npm run build:console`) is missing or older than one of its
 * sources; false when this checkout has no console sources (nothing to build).
 */
export function consoleBuildIsStale(root: string): boolean;
