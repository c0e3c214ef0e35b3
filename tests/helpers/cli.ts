import { execFile } from 'node:child_process';
import { PROJECT_ROOT } from '../../config/paths';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

// Each run starts a Node process that compiles the CLI with tsx: two at a time suits a 2-core machine.
const PARALLEL = 2;
let running = 0;
const queue: (() => void)[] = [];

/** Run `alphabet <args>` from the project root; never rejects: the exit code is in the result. */
export async function alphabet(...args: string[]): Promise<CliRun> {
  return alphabetWithEnv({}, ...args);
}

/** `alphabet <args>` with these variables added to the environment. */
export async function alphabetWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  while (running >= PARALLEL) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await new Promise((resolve) => {
      execFile(
        process.execPath,
        ['bin/alphabet.mjs', ...args],
        { cwd: PROJECT_ROOT, timeout: 120_000, env: { ...process.env, ...env } },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
    });
  } finally {
    running--;
    queue.shift()?.();
  }
}
