import { z } from 'zod';

/** A record's keys checked one by one, each error at its own key: `pattern`, and none of `refused`. */
function namedKeys(pattern: RegExp, expected: string, refused: Record<string, string> = {}) {
  return (record: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const key of Object.keys(record)) {
      const message = refused[key] ?? (pattern.test(key) ? null : `expected ${expected}`);
      if (message) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  };
}

/**
 * `stack.devServer.sqlitePragmas`: further SQLite pragmas for the dev server's file (`--sqlite-pragma
 * name=value`): page cache, memory mapping, temp store. journal_mode and synchronous are refused here: WAL
 * and `sqliteSync` decide them.
 */
export const SqlitePragmas = z
  .record(
    z.string(),
    z.union([z.number().int(), z.string().regex(/^[A-Za-z0-9_-]+$/, 'a plain pragma value')]),
  )
  .default({})
  .superRefine(
    namedKeys(/^[a-z_]+$/, 'a SQLite pragma name (lower case letters and _)', {
      journal_mode: 'journal_mode is always wal',
      synchronous: 'synchronous is set by stack.devServer.sqliteSync',
    }),
  );

/**
 * `stack.devServer.dynamicConfig`: Temporal dynamic config for the dev server (`--dynamic-config-value
 * key=<JSON>`), e.g. eager activity dispatch and one task queue partition for a single local worker process.
 */
export const DevServerDynamicConfig = z
  .record(z.string(), z.union([z.boolean(), z.number(), z.string()]))
  .default({})
  .superRefine(namedKeys(/^[a-zA-Z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/, 'a dynamic config key (section.name)'));
