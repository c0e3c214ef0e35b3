import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { redactUrls } from '../shared/redact';
import { AppConfig, ENV_OVERRIDES, SECRET_ENV, type Secrets, type SecretName } from './schema';

import { PROJECT_ROOT } from './paths';

export { PROJECT_ROOT };
export const DEFAULT_CONFIG_FILE = resolve(PROJECT_ROOT, 'config/default.yaml');

/**
 * A configuration problem, naming the key, the value, where it came from and what was expected. A URL's
 * password is masked in the value too: the error is printed and logged whole.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly value: unknown;
  constructor(
    readonly key: string,
    value: unknown,
    readonly source: string,
    readonly expected: string,
  ) {
    super(`invalid configuration: ${key} = ${formatValue(key, value)} (${source}): ${expected}`);
    this.value = typeof value === 'string' ? redactUrls(value) : value;
  }
}

export interface LoadedConfig {
  config: AppConfig;
  secrets: Secrets;
  file: string;
  /** Which keys the environment overrode, for `alphabet config show`. */
  overriddenBy: Record<string, string>;
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
}

const SECRET_KEY_RE = /(api[_-]?key|password|passwd|secret|token|auth[_-]?token|account[_-]?sid)$/i;

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = resolveConfigFile(options.file ?? env.ALPHABET_CONFIG);
  const raw = readYaml(file);
  refuseSecretsInFile(raw, file);

  const overriddenBy: Record<string, string> = {};
  for (const [name, spec] of Object.entries(ENV_OVERRIDES)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    setPath(raw, spec.path, coerce(text, spec.type, spec.path, name));
    overriddenBy[spec.path] = name;
  }

  const parsed = AppConfig.safeParse(raw);
  if (!parsed.success) throw toConfigError(parsed.error, raw, file, overriddenBy);

  const secrets: Secrets = {};
  for (const name of Object.keys(SECRET_ENV) as SecretName[]) {
    const value = env[name];
    if (value) secrets[name] = value;
  }
  return { config: parsed.data, secrets, file, overriddenBy };
}

function resolveConfigFile(file: string | undefined): string {
  if (!file) return DEFAULT_CONFIG_FILE;
  return isAbsolute(file) ? file : resolve(process.cwd(), file);
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      '(file)',
      file,
      'ALPHABET_CONFIG or config/default.yaml',
      `cannot read it: ${(err as Error).message}`,
    );
  }
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0];
    throw new ConfigError(
      '(syntax)',
      line ? `line ${line.line}, column ${line.col}` : '?',
      file,
      first.message.split('\n')[0] ?? 'YAML syntax error',
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      '(root)',
      value,
      file,
      'expected a mapping of sections (temporal, database, redis, …)',
    );
  }
  return value as Record<string, unknown>;
}

function refuseSecretsInFile(node: unknown, file: string, path: string[] = []): void {
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    const here = [...path, k];
    if (SECRET_KEY_RE.test(k) && v !== null && v !== '') {
      throw new ConfigError(
        here.join('.'),
        '<redacted>',
        file,
        `secrets are read only from the environment (${Object.keys(SECRET_ENV).join(', ')}); remove it from the file`,
      );
    }
    refuseSecretsInFile(v, file, here);
  }
}

function coerce(text: string, type: 'string' | 'number' | 'boolean', path: string, envName: string): unknown {
  if (type === 'string') return text;
  if (type === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n))
      throw new ConfigError(path, text, `environment variable ${envName}`, 'expected a number');
    return n;
  }
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new ConfigError(path, text, `environment variable ${envName}`, 'expected true or false');
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function getPath(root: unknown, path: PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function toConfigError(
  error: z.ZodError,
  raw: unknown,
  file: string,
  overriddenBy: Record<string, string>,
): ConfigError {
  const issue = error.issues[0]!;
  let keyPath = issue.path;
  let expected = issue.message;
  if (issue.code === 'unrecognized_keys') {
    keyPath = [...issue.path, issue.keys[0] ?? '?'];
    expected = 'unknown key (check the spelling against config/default.yaml)';
  }
  const key = keyPath.map(String).join('.') || '(root)';
  const value = getPath(raw, keyPath);
  const envName = overriddenBy[key];
  const source = envName ? `from environment variable ${envName}` : `in ${file}`;
  if (value === undefined && issue.code === 'invalid_type') expected = `missing; ${expected}`;
  return new ConfigError(key, value, source, expected);
}

function formatValue(key: string, value: unknown): string {
  if (SECRET_KEY_RE.test(key)) return '<redacted>';
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : redactUrls(text);
}
