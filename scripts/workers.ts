import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { TemporalConnectOptions } from '../activities/infra/temporal';
import { PROJECT_ROOT } from '../config/load';
import { QUEUE_ROLES, type QueueRole } from '../shared/queues';
import { isAlive, resolveDataDir } from './devserver';

const { TaskQueueType } = proto.temporal.api.enums.v1;

/** How many worker processes per task queue: `bets=2,strategies=1,ingestion=1`. */
export type WorkerPlan = Partial<Record<QueueRole, number>>;

export function parseWorkerPlan(text: string, source = '--workers'): WorkerPlan {
  const plan: WorkerPlan = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)=(\d+)$/.exec(part);
    const queue = m?.[1] as QueueRole | undefined;
    if (!m || !queue || !QUEUE_ROLES.includes(queue) || Number(m[2]) > 64) {
      throw new Error(
        `${source}: "${part}" is not <queue>=<count> with a queue among ${QUEUE_ROLES.join(', ')} and a count 0..64`,
      );
    }
    plan[queue] = Number(m[2]);
  }
  return plan;
}

interface WorkerPid {
  pid: number;
  queue: QueueRole;
  index: number;
  logPath: string;
  startedAt: string;
}

const workersDir = (dataDir: string) => join(resolveDataDir(dataDir), 'workers');

function readWorkers(dataDir: string): WorkerPid[] {
  let names: string[];
  try {
    names = readdirSync(workersDir(dataDir)).filter((n) => n.endsWith('.pid'));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      return [JSON.parse(readFileSync(join(workersDir(dataDir), n), 'utf8')) as WorkerPid];
    } catch {
      return [];
    }
  });
}

/**
 * Start `alphabet worker --queues <queue>` processes in the background until each queue has its planned
 * count alive (idempotent: live ones are kept). Each has a pid file and a log under <dataDir>/workers.
 */
export function startWorkers(
  dataDir: string,
  plan: WorkerPlan,
  env: NodeJS.ProcessEnv = process.env,
): WorkerPid[] {
  const dir = workersDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const alive = readWorkers(dataDir).filter((w) => isAlive(w.pid));
  const started: WorkerPid[] = [];
  for (const queue of QUEUE_ROLES) {
    const want = plan[queue] ?? 0;
    const have = new Set(alive.filter((w) => w.queue === queue).map((w) => w.index));
    for (let index = 0; index < want; index++) {
      if (have.has(index)) continue;
      const logPath = join(dir, `${queue}-${index}.log`);
      const fd = openSync(logPath, 'a');
      const child = spawn(process.execPath, ['bin/alphabet.mjs', 'worker', '--queues', queue], {
        cwd: PROJECT_ROOT,
        env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      child.unref();
      if (child.pid === undefined) throw new Error(`could not start a ${queue} worker`);
      const record = { pid: child.pid, queue, index, logPath, startedAt: new Date().toISOString() };
      writeFileSync(join(dir, `${queue}-${index}.pid`), JSON.stringify(record, null, 2));
      started.push(record);
    }
  }
  return started;
}

/** SIGTERM every worker (they drain: finish running activities, then exit), SIGKILL after `graceMs`. */
export async function stopWorkers(dataDir: string, graceMs = 30_000): Promise<number> {
  const workers = readWorkers(dataDir).filter((w) => isAlive(w.pid));
  for (const w of workers) process.kill(w.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (workers.some((w) => isAlive(w.pid)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  for (const w of workers) if (isAlive(w.pid)) process.kill(w.pid, 'SIGKILL');
  rmSync(workersDir(dataDir), { recursive: true, force: true });
  return workers.length;
}

export interface WorkerHealth {
  queue: QueueRole;
  index: number;
  pid: number;
  alive: boolean;
  /** When Temporal last saw this process poll its queue (DescribeTaskQueue), if it did. */
  lastPoll: Date | null;
}

/**
 * Each worker's health: its process alive, and its last poll as the server reports it. The SDK's default
 * identity is `<pid>@<hostname>`, which is how a poller is matched to a pid file. `target` is what the
 * workers connect with (TLS, client certificate, API key): a remote cluster answers nothing less.
 */
export async function workerHealth(
  dataDir: string,
  target: TemporalConnectOptions,
  namespace: string,
  taskQueues: Record<QueueRole, string>,
): Promise<WorkerHealth[]> {
  const workers = readWorkers(dataDir).sort((a, b) => a.queue.localeCompare(b.queue) || a.index - b.index);
  if (workers.length === 0) return [];
  const lastPoll = new Map<string, Date>();
  const connection = await Connection.connect({ ...target, connectTimeout: 3_000 }).catch(() => null);
  try {
    for (const queue of new Set(workers.map((w) => w.queue))) {
      if (!connection) break;
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueues[queue] },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      for (const p of pollers ?? []) {
        const seconds = Number(p.lastAccessTime?.seconds ?? 0);
        if (p.identity) lastPoll.set(`${queue}/${p.identity}`, new Date(seconds * 1000));
      }
    }
  } finally {
    await connection?.close();
  }
  const host = hostname();
  return workers.map((w) => ({
    queue: w.queue,
    index: w.index,
    pid: w.pid,
    alive: isAlive(w.pid),
    lastPoll: lastPoll.get(`${w.queue}/${w.pid}@${host}`) ?? null,
  }));
}
