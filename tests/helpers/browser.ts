import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApiContext } from '../../api/context';
import { buildApi, listenApi } from '../../api/server';
import type { LoadedConfig } from '../../config/load';
import { PROJECT_ROOT } from '../../config/paths';

/** Debian's chromium (`.ci/run` installs it); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CONSOLE_DIST = resolve(PROJECT_ROOT, 'console/dist');

/**
 * The operator API with the built console, in this process, on a free loopback port. Fails at once when the
 * console was never built, rather than testing the API's "not built" page.
 */
export async function startConsoleServer(
  loaded: LoadedConfig,
): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html')))
    throw new Error(
      `${CONSOLE_DIST}/index.html is missing: run \`npm run build:console\` (npm ci runs it as prepare)`,
    );
  const ctx = createApiContext(loaded, { consoleDir: CONSOLE_DIST });
  const app = await buildApi(ctx);
  const url = await listenApi(app, '127.0.0.1', 0);
  return {
    url,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

/** Headless Chromium with a fresh profile, and one page that fails the test on a console-side error. */
export async function openBrowser(): Promise<{
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(join(tmpdir(), 'alphabet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
