import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load';
import {
  createProviderRegistry,
  describeProvider,
  stalenessSeconds,
} from '../../activities/providers/registry';
import { applySettingsPatch, settingsPatchError } from '../../workflows/ingestion/messages';
import { configErrorOf } from '../helpers/config';

const dir = mkdtempSync(join(tmpdir(), 'alphabet-ingest-config-'));
const base = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

function configError(text: string): ConfigError {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return configErrorOf(() => loadConfig({ file, env: {} }));
}

describe('polling settings updates', () => {
  it('accepts a new interval or new sports', () => {
    expect(settingsPatchError({ intervalSeconds: 2 })).toBeNull();
    expect(settingsPatchError({ sports: ['soccer_epl'] }, ['soccer_epl', 'basketball_nba'])).toBeNull();
    expect(applySettingsPatch({ intervalSeconds: 5, sports: ['a'] }, { intervalSeconds: 2 })).toEqual({
      intervalSeconds: 2,
      sports: ['a'],
    });
  });

  it('refuses bad values, saying why', () => {
    expect(settingsPatchError({})).toMatch(/nothing to change/);
    expect(settingsPatchError({ intervalSeconds: -1 })).toMatch(/intervalSeconds = -1/);
    expect(settingsPatchError({ intervalSeconds: 0 })).toMatch(/between/);
    expect(settingsPatchError({ intervalSeconds: '5' })).toMatch(/expected a number/);
    expect(settingsPatchError({ intervalSeconds: Number.POSITIVE_INFINITY })).toMatch(/expected a number/);
    expect(settingsPatchError({ sports: [] })).toMatch(/non-empty/);
    expect(settingsPatchError({ sports: ['NFL!'] })).toMatch(/not a sport key/);
    expect(settingsPatchError({ sports: ['a', 'a'] })).toMatch(/twice/);
    expect(settingsPatchError({ sports: ['cricket_ipl'] }, ['soccer_epl'])).toMatch(
      /does not offer cricket_ipl/,
    );
    expect(settingsPatchError({ interval: 5 })).toMatch(/unknown setting "interval"/);
    expect(settingsPatchError(null)).toMatch(/must be an object/);
  });
});

describe('provider configuration', () => {
  it("validates each provider type's options at load time, naming the key and the value", () => {
    let err = configError(base.replace('      port: 8650', '      port: eighty'));
    expect(err.key).toBe('providers.0.options.port');
    expect(err.value).toBe('eighty');
    err = configError(base.replace('      regions: [us]', '      regions: [mars]'));
    expect(err.key).toBe('providers.1.options.regions.0');
    err = configError(base.replace('      seed: 42', '      seed: 42\n      sped: 60'));
    expect(err.key).toBe('providers.0.options.sped');
    expect(err.message).toMatch(/unknown simulated option/);
    err = configError(base.replace('      source: line-changes', '      source: tapes'));
    expect(err.key).toBe('providers.2.options.source');
    err = configError(base.replace('  - name: the-odds-api', '  - name: simulated'));
    expect(err.key).toBe('providers.1.name');
  });

  it('builds providers from the config, not from code', () => {
    const { config, secrets } = loadConfig({ env: {} });
    const registry = createProviderRegistry(config, secrets);
    expect(registry.names()).toEqual(['simulated', 'the-odds-api', 'replay']);
    expect(registry.get('simulated').type).toBe('simulated');
    expect(registry.get('the-odds-api').capabilities.results).toBe(true);
    expect(registry.get('replay').capabilities.recorded).toBe(true);
    expect(() => registry.get('nope')).toThrow(/no provider named "nope"/);
    expect(describeProvider(registry.settings('simulated')).sports).toContain('soccer_epl');
    expect(stalenessSeconds(registry.settings('simulated'))).toBe(60);
    expect(stalenessSeconds(registry.settings('the-odds-api'))).toBe(900);
  });
});
