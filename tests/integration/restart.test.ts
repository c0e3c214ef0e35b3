import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer, stopDevServer } from '../../scripts/devserver';
import { freePort } from '../helpers/ports';
import { scratchDevServer } from '../helpers/scratch';

describe('dev server restart on the same SQLite file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alphabet-restart-'));
  afterAll(async () => {
    await stopDevServer(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a workflow waiting on a timer completes after the server is stopped and started again', async () => {
    const port = await freePort();
    const options = await scratchDevServer(inject('temporalCli'), dataDir, port);
    const first = await startDevServer(options);
    expect(readFileSync(`/proc/${first.pid}/cmdline`, 'utf8').split('\0')).toContain('synchronous=normal');
    const taskQueue = `restart-${Date.now()}`;
    const workflowId = `timer-${Date.now()}`;

    let connection = await Connection.connect({ address: first.address });
    let client = new Client({ connection });
    const handle = await client.workflow.start('timerWorkflow', { workflowId, taskQueue, args: [6_000] });

    // Run a worker just long enough to start the timer, then take everything down.
    let nativeConnection = await NativeConnection.connect({ address: first.address });
    let worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    await worker.runUntil(async () => {
      for (let i = 0; i < 100; i++) {
        const history = await handle.fetchHistory();
        if (history.events?.some((e) => e.timerStartedEventAttributes)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('timer never started');
    });
    await nativeConnection.close();
    await connection.close();
    expect(await stopDevServer(dataDir)).toBe(true);
    expect(statSync(first.dbPath).size).toBeGreaterThan(0);
    // The default store: SQLite header bytes 18-19 are 2 in WAL mode (1 under a rollback journal).
    expect([...readFileSync(first.dbPath).subarray(18, 20)]).toEqual([2, 2]);

    const second = await startDevServer(options);
    expect(second.alreadyRunning).toBe(false);
    expect(second.pid).not.toBe(first.pid);
    connection = await Connection.connect({ address: second.address });
    client = new Client({ connection });
    const resumed = client.workflow.getHandle(workflowId);
    expect((await resumed.describe()).status.name).toBe('RUNNING');

    nativeConnection = await NativeConnection.connect({ address: second.address });
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const result = await worker.runUntil(resumed.result());
    expect(result).toBe('slept 6000 ms');
    await nativeConnection.close();
    await connection.close();
  });
});
