import { createHmac } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { testConfig, testStores, stopTestPlatform, type RunningWorkers } from '../helpers/platform';
import { patchConfig, seedEvent, seedValueBet, TEAMS } from '../fixtures/bet-data';
import { QUICK_SETTLEMENT, startBetWorkers } from '../helpers/bet-setup';
import { loopbackServer, type LoopbackServer } from '../helpers/loopback';
import { startBetLifecycle } from '../../workflows/bets/client';
import { betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import type { AlertDeliveryResult } from '../../workflows/alerts/messages';
import { ALERT_EVENTS, type Alert, type AlertEventType } from '../../shared/alerts';
import type { LoadedConfig } from '../../config/load';
import { createAlertChannels } from '../../activities/alerts/channels';
import { createLogger } from '../../activities/infra/logger';

const run = Math.random().toString(36).slice(2, 8);
const SECRETS = {
  SMTP_USER: 'alerts-user',
  SMTP_PASSWORD: 'smtp-pass-1234',
  TWILIO_ACCOUNT_SID: 'AC0123456789',
  TWILIO_AUTH_TOKEN: 'twilio-token-5678',
  WEBHOOK_SECRET: 'webhook-secret-90',
};

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe(
  'alerts reach real loopback servers: webhook, SMTP, Twilio-compatible SMS',
  { timeout: 120_000 },
  () => {
    let loaded: LoadedConfig;
    let workers: RunningWorkers;
    let client: Client;
    const stores = testStores();
    let http: LoopbackServer;
    let smtp: SMTPServer;
    const requests: Received[] = [];
    const mails: { from: string; to: string[]; data: string; user: string | undefined }[] = [];
    let slackFailures = 1;

    beforeAll(async () => {
      http = await loopbackServer((req, res, body) => {
        const path = req.url ?? '';
        if (path === '/always-500') return void res.writeHead(500).end('down');
        if (path.startsWith('/huge-')) {
          // Streamed (no Content-Length), far past the 64 KiB an alert channel reads.
          res.writeHead(Number(path.slice('/huge-'.length).split('?')[0]), {
            'content-type': 'text/plain',
          });
          for (let i = 0; i < 64; i++) res.write('x'.repeat(16 * 1024));
          return void res.end();
        }
        if (path === '/slack' && slackFailures > 0) {
          slackFailures--;
          return void res.writeHead(503).end('try again');
        }
        requests.push({ path, headers: req.headers, body });
        res
          .writeHead(path.endsWith('Messages.json') ? 201 : 200, { 'content-type': 'application/json' })
          .end('{}');
      });
      smtp = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        onAuth(auth, _session, cb) {
          if (auth.username === SECRETS.SMTP_USER && auth.password === SECRETS.SMTP_PASSWORD)
            return cb(null, { user: auth.username });
          return cb(new Error('bad credentials'));
        },
        onData(stream, session, cb) {
          let data = '';
          stream.on('data', (c: Buffer) => (data += c.toString()));
          stream.on('end', () => {
            mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              data,
              user: session.user as string | undefined,
            });
            cb();
          });
        },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
      const smtpPort = (smtp.server.address() as { port: number }).port;
      const base = http.base;
      const fast = { maximumAttempts: 5, initialIntervalSeconds: 0.2, maximumIntervalSeconds: 1 };

      loaded = patchConfig(testConfig(SECRETS), {
        risk: { accounts: { paper: `paper-alerts-${run}` } },
        placement: {
          requote: { maxQuoteAgeSeconds: 3600 },
          settlement: QUICK_SETTLEMENT,
        },
        alerts: {
          dedupWindowSeconds: 60,
          channels: [
            { name: 'console', type: 'console', enabled: true },
            {
              name: 'slack',
              type: 'webhook',
              enabled: true,
              options: { url: `${base}/slack`, format: 'slack' },
              retry: fast,
            },
            {
              name: 'discord',
              type: 'webhook',
              enabled: true,
              options: { url: `${base}/discord`, format: 'discord' },
              retry: fast,
            },
            {
              name: 'mail',
              type: 'email',
              enabled: true,
              options: {
                host: '127.0.0.1',
                port: smtpPort,
                // The loopback server offers no STARTTLS: plain text is allowed here, and only here.
                requireTls: false,
                from: 'alphabet@example.test',
                to: ['ops@example.test'],
              },
              retry: fast,
            },
            {
              name: 'sms',
              type: 'sms',
              enabled: true,
              options: { baseUrl: base, from: '+15550000001', to: ['+15550000002'] },
              rateLimit: { max: 2, perSeconds: 600 },
              retry: fast,
            },
            // Never answers well: retried on its own for a long time, never holding anything up.
            {
              name: 'broken',
              type: 'webhook',
              enabled: true,
              options: { url: `${base}/always-500` },
              retry: { maximumAttempts: 200, initialIntervalSeconds: 1, maximumIntervalSeconds: 1 },
            },
            { name: 'off', type: 'webhook', enabled: false, options: { url: `${base}/off` } },
          ],
          routes: [
            {
              events: ['bet.placed', 'bet.settled'],
              minSeverity: 'info',
              channels: ['slack', 'mail', 'broken', 'off'],
            },
            { events: ['bet.*', 'risk.*'], minSeverity: 'warning', channels: ['sms', 'discord'] },
          ],
        },
      });
      ({ workers, client } = await startBetWorkers(loaded, stores.db, `alerts-${run}`));
    });

    afterAll(async () => {
      await stopTestPlatform({ workers, client, stores });
      http?.server.close();
      await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    });

    const testAlert = (id: string): Alert => ({
      id: `${id}-${run}`,
      type: 'bet.failed',
      severity: 'critical',
      subject: `${id}-${run}`,
      title: 'channel check',
      text: 'channel check',
      fields: {},
      at: new Date().toISOString(),
      link: null,
    });
    const received = (path: string) => requests.filter((r) => r.path === path);
    async function until(what: string, check: () => boolean): Promise<void> {
      for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!check()) throw new Error(`never: ${what}`);
    }

    it('reads a webhook answer only up to its limit: a huge 200 is delivered, a huge 500 fails naming the limit', async () => {
      const hook = (name: string, url: string) =>
        createAlertChannels(
          patchConfig(testConfig(), {
            alerts: { channels: [{ name, type: 'webhook', enabled: true, options: { url } }], routes: [] },
          }).config,
          {},
          createLogger({ level: 'silent' }),
        )[0]!;
      const base = loaded.config.alerts.channels.find((c) => c.name === 'slack')!.options.url as string;
      const origin = new URL(base).origin;
      await expect(hook('big-ok', `${origin}/huge-200`).send(testAlert('big-ok'))).resolves.toBeUndefined();
      await expect(
        hook('big-500', `${origin}/huge-500?token=s3cret`).send(testAlert('big-500')),
      ).rejects.toThrow(
        new RegExp(`big-500: HTTP 500 the answer from ${origin}/huge-500 exceeds the limit of 65536 bytes`),
      );
    });

    it('refuses to send SMTP credentials to a server without STARTTLS unless requireTls is turned off', async () => {
      const mailConfig = loaded.config.alerts.channels.find((c) => c.name === 'mail')!;
      const { requireTls: _off, ...tlsDefault } = mailConfig.options;
      const strict = patchConfig(testConfig(SECRETS), {
        alerts: { channels: [{ ...mailConfig, options: tlsDefault }], routes: [] },
      });
      const [channel] = createAlertChannels(strict.config, strict.secrets, createLogger({ level: 'silent' }));
      const alert = { ...testAlert('tls'), text: 'must not travel in clear text' };
      const before = mails.length;
      try {
        await expect(channel!.send(alert)).rejects.toMatchObject({
          type: 'AlertConfig',
          nonRetryable: true,
          message: expect.stringMatching(/offers no TLS, and requireTls is on/) as unknown,
        });
      } finally {
        channel!.close?.();
      }
      expect(mails.length).toBe(before);
      expect(mails.some((m) => m.data.includes('must not travel in clear text'))).toBe(false);
    });

    it('a placed and settled bet alerts Slack (after a failure) and email; a channel failing for good holds nothing up', async () => {
      const eventId = `ev-alerts-${run}`;
      await seedEvent(stores.db, {
        eventId,
        sport: `test_alerts_${run}`,
        startInMs: 500,
        result: { [TEAMS.away]: '3', [TEAMS.home]: '1' },
      });
      const opp = await seedValueBet(stores.db, stores.redis, loaded.config.redis.keyPrefix, {
        id: `opp-alerts-${run}`,
        strategy: `alerts-${run}`,
        sport: `test_alerts_${run}`,
        eventId,
      });
      await startBetLifecycle(client, opp, {
        taskQueue: loaded.config.temporal.taskQueues.bets,
        eventLabel: 'KC@BUF',
      });
      const result = (await client.workflow.getHandle(betWorkflowId(opp.id)).result()) as BetLifecycleResult;
      expect(result.status).toBe('won');

      // The 'broken' channel's delivery is still being retried after the bet's lifecycle has finished.
      const placedAlert = client.workflow.getHandle(`alert:${betWorkflowId(opp.id)}/bet.placed/${opp.id}#1`);
      const settledAlert = client.workflow.getHandle(`alert:${betWorkflowId(opp.id)}/bet.settled/${opp.id}`);
      expect((await placedAlert.describe()).status.name).toBe('RUNNING');

      await until('two Slack messages', () => received('/slack').length >= 2);
      const slack = received('/slack').map((r) => JSON.parse(r.body) as { text: string });
      expect(slack.map((s) => s.text)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\[INFO\] Bet placed: KC@BUF: 200\.00 @ 2\.1 draftkings \(ref paper-/),
          expect.stringMatching(/^\[INFO\] Bet settled won: KC@BUF: P&L 220\.00$/),
        ]),
      );
      expect(slack.every((s) => Object.keys(s).join() === 'text')).toBe(true);
      // Signed with WEBHOOK_SECRET over "timestamp.body".
      for (const r of received('/slack')) {
        const mac = createHmac('sha256', SECRETS.WEBHOOK_SECRET)
          .update(`${String(r.headers['x-alphabet-timestamp'])}.${r.body}`)
          .digest('hex');
        expect(r.headers['x-alphabet-signature']).toBe(`sha256=${mac}`);
      }
      expect(received('/off')).toEqual([]);

      await until('two emails', () => mails.length >= 2);
      expect(mails.every((m) => m.user === SECRETS.SMTP_USER && m.to[0] === 'ops@example.test')).toBe(true);
      expect(mails.map((m) => /Subject: (.*)/.exec(m.data)?.[1])).toEqual(
        expect.arrayContaining(['[INFO] Bet placed: KC@BUF', '[INFO] Bet settled won: KC@BUF']),
      );
      // Info alerts stay off the warning routes.
      expect(received('/discord')).toEqual([]);
      for (const h of [placedAlert, settledAlert]) await h.terminate('test over').catch(() => undefined);
    });

    it('critical alerts go by SMS and Discord, duplicates are dropped, the SMS rate limit holds', async () => {
      const q = loaded.config.temporal.taskQueues.bets;
      const alert = (type: AlertEventType, subject: string, id: string): Alert => ({
        id: `${run}/${id}`,
        type,
        severity: ALERT_EVENTS[type],
        subject,
        title: `${type} ${subject}`,
        text: `test alert ${id}`,
        fields: {},
        at: new Date().toISOString(),
        link: null,
      });
      const deliver = (a: Alert) =>
        client.workflow.execute('alertDeliveryWorkflow', {
          workflowId: `alert-test:${a.id}`,
          taskQueue: q,
          args: [a],
        }) as Promise<AlertDeliveryResult>;

      const first = await deliver(alert('risk.daily_loss_stop', `paper:${run}`, 'stop-1'));
      expect(first.delivered.sort()).toEqual(['discord', 'sms']);
      const sms = received(`/2010-04-01/Accounts/${SECRETS.TWILIO_ACCOUNT_SID}/Messages.json`);
      expect(sms).toHaveLength(1);
      const form = new URLSearchParams(sms[0]!.body);
      expect(form.get('To')).toBe('+15550000002');
      expect(form.get('From')).toBe('+15550000001');
      expect(form.get('Body')).toMatch(/^\[CRITICAL\] risk\.daily_loss_stop paper:/);
      expect(sms[0]!.headers.authorization).toBe(
        `Basic ${Buffer.from(`${SECRETS.TWILIO_ACCOUNT_SID}:${SECRETS.TWILIO_AUTH_TOKEN}`).toString('base64')}`,
      );
      expect(JSON.parse(received('/discord')[0]!.body)).toEqual({
        content: expect.stringMatching(/^\[CRITICAL\]/),
      });

      // The same alert about the same subject from another lifecycle: suppressed within the window.
      const again = await deliver(alert('risk.daily_loss_stop', `paper:${run}`, 'stop-2'));
      expect(again.delivered).toEqual([]);
      expect(again.suppressed.map((s) => s.why)).toEqual([
        `duplicate of ${run}/stop-1`,
        `duplicate of ${run}/stop-1`,
      ]);

      // Two more warnings: the SMS channel allows 2 per window, so one gets through and one is dropped.
      const a = await deliver(alert('bet.rejected', 'bet-a', 'rej-a'));
      const b = await deliver(alert('bet.rejected', 'bet-b', 'rej-b'));
      expect(a.delivered.sort()).toEqual(['discord', 'sms']);
      expect(b.delivered).toEqual(['discord']);
      expect(b.suppressed).toEqual([{ channel: 'sms', why: 'rate limit 2 per 600 s' }]);
      expect(received(`/2010-04-01/Accounts/${SECRETS.TWILIO_ACCOUNT_SID}/Messages.json`)).toHaveLength(2);
    });
  },
);
