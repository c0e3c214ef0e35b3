import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { alphabet } from '../helpers/cli';
import { PROJECT_ROOT } from '../../config/paths';
import {
  parseQueueRoles,
  QUEUE_ACTIVITIES,
  QUEUE_ROLES,
  QUEUE_WORKFLOWS,
  QueueListError,
} from '../../shared/queues';

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('which workflows and activities each task queue serves', () => {
  it("each queue's bundle entry exports exactly its workflows, and together they are every workflow", async () => {
    const entries = {
      ingestion: await import('../../workflows/queues/ingestion'),
      strategies: await import('../../workflows/queues/strategies'),
      bets: await import('../../workflows/queues/bets'),
    };
    for (const role of QUEUE_ROLES) {
      expect(sorted(Object.keys(entries[role])), role).toEqual(sorted(QUEUE_WORKFLOWS[role]));
    }
    const all = await import('../../workflows');
    expect(sorted(QUEUE_ROLES.flatMap((r) => QUEUE_WORKFLOWS[r]))).toEqual(sorted(Object.keys(all)));
  });

  it('the bets queue does not run strategy or ingestion work, and the probes run everywhere', () => {
    expect(QUEUE_WORKFLOWS.bets).not.toContain('strategyWorkflow');
    expect(QUEUE_ACTIVITIES.bets).not.toContain('sweepStrategy');
    expect(QUEUE_ACTIVITIES.bets).not.toContain('pollOdds');
    for (const role of QUEUE_ROLES) {
      expect(QUEUE_ACTIVITIES[role]).toEqual(expect.arrayContaining(['probePostgres', 'probeRedis']));
      expect(QUEUE_WORKFLOWS[role]).toContain('healthCheckWorkflow');
    }
  });
});

describe('the queue list of --queues and ALPHABET_WORKER_QUEUES', () => {
  it('parses one queue, several, and nothing as all three', () => {
    expect(parseQueueRoles('bets', '--queues')).toEqual(['bets']);
    expect(parseQueueRoles(' ingestion, strategies ', '--queues')).toEqual(['ingestion', 'strategies']);
    expect(parseQueueRoles(undefined, 'ALPHABET_WORKER_QUEUES')).toEqual([...QUEUE_ROLES]);
    expect(parseQueueRoles('', 'ALPHABET_WORKER_QUEUES')).toEqual([...QUEUE_ROLES]);
  });

  it('refuses an unknown queue, naming where it came from and the value', () => {
    expect(() => parseQueueRoles('bets,betz', '--queues')).toThrow(QueueListError);
    expect(() => parseQueueRoles('bets,betz', '--queues')).toThrow(
      /^--queues: unknown queue "betz" in "bets,betz"/,
    );
  });

  it(
    'alphabet worker --queues with an unknown queue is a usage error (exit 2)',
    { timeout: 120_000 },
    async () => {
      const run = await alphabet('worker', '--queues', 'bets,nope');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^alphabet: --queues: unknown queue "nope"/);
    },
  );

  it(
    'npm run worker with an unknown ALPHABET_WORKER_QUEUES exits 2 naming the variable',
    { timeout: 120_000 },
    async () => {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'workers/main.ts'],
          {
            cwd: PROJECT_ROOT,
            timeout: 120_000,
            env: { ...process.env, ALPHABET_WORKER_QUEUES: 'ingestion,odds' },
          },
          (err, _stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stderr }),
        );
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('ALPHABET_WORKER_QUEUES: unknown queue "odds"');
    },
  );
});
