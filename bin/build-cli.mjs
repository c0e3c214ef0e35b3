// `npm run build:cli` (run by `prepare` at install): compile the CLI into dist/ with tsc, make its relative
// imports explicit for Node's ESM loader, and stamp the build. Plain JavaScript: it runs before anything is
// compiled. Without TypeScript installed (npm ci --omit=dev) it builds nothing: bin/alphabet.mjs then runs
// the sources through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP } from './compiled.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stdout.write('build:cli: typescript is not installed; the CLI runs from the sources (tsx)\n');
  process.exit(0);
}

// The stamp carries the time the build STARTED: a source saved during the build counts as newer.
const startedAt = new Date();
const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

// Sources import './x' and '../dir' (bundler resolution); Node's ESM loader needs './x.js' and '../dir/index.js'.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;
function explicit(file, spec) {
  if (/\.(m?js|json)$/.test(spec)) return spec;
  const target = resolve(dirname(file), spec);
  if (existsSync(`${target}.js`)) return `${spec}.js`;
  if (existsSync(join(target, 'index.js'))) return `${spec}/index.js`;
  throw new Error(`build:cli: ${file} imports ${spec}, which was not compiled (neither .js nor /index.js)`);
}
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const out = text.replace(SPECIFIER, (_, head, q, spec) => `${head}${q}${explicit(file, spec)}${q}`);
  if (out !== text) writeFileSync(file, out);
}
const stamp = join(dist, STAMP);
writeFileSync(stamp, `${startedAt.toISOString()}\n`);
utimesSync(stamp, startedAt, startedAt);
process.stdout.write(`build:cli: compiled into ${dist}\n`);
