import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { SECRET_ENV } from '../../config/schema';
import { redactUrls } from '../../shared/redact';
import { emit } from '../output';

export function registerConfig(program: Command): void {
  const cmd = program.command('config').description('validate and show the configuration');

  cmd
    .command('check')
    .description('validate the config file and environment overrides; exit 2 naming the bad key')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { file, overriddenBy, config, secrets } = loadConfig();
      // Payload keys live in the environment, outside the schema: check them the way workers will.
      const { payloadCodec } = await import('../../activities/infra/temporal');
      payloadCodec(config, secrets);
      emit(
        { ok: true, file, overriddenBy },
        opts,
        (r) =>
          `ok: ${r.file}${
            Object.keys(r.overriddenBy).length
              ? ` (overridden: ${Object.entries(r.overriddenBy)
                  .map(([k, v]) => `${k} by ${v}`)
                  .join(', ')})`
              : ''
          }`,
      );
    });

  cmd
    .command('show')
    .description('the effective configuration; secrets are shown only as set or unset')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const { config, secrets, file } = loadConfig();
      const secretState = Object.fromEntries(
        Object.keys(SECRET_ENV).map((k) => [k, k in secrets ? 'set' : 'unset']),
      );
      emit({ file, config: withoutPasswords(config), secrets: secretState }, opts, (r) =>
        JSON.stringify(r, null, 2),
      );
    });
}

/** Every string of the configuration with URL passwords masked: database.url, redis.url, webhook URLs. */
function withoutPasswords(value: unknown): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (Array.isArray(value)) return value.map(withoutPasswords);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutPasswords(v)]));
  }
  return value;
}
