import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { AppConfig, Secrets } from '../../config/schema';
import { AlertChannelOptions } from '../../config/schema';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';
import { appendOpsEvents } from '../infra/ops-events';
import { readBodyLimited } from '../infra/http';
import { alertLine, type Alert } from '../../shared/alerts';

/**
 * Where alerts go. Each channel sends one alert or throws: a retryable error (network, 5xx, 429) is
 * retried by its own activity's policy; a non-retryable one (401/403/400, missing credentials) gives up.
 * Delivery is at-least-once: a server that got a message but whose answer was lost may see it twice.
 */
export interface AlertChannel {
  readonly name: string;
  readonly type: ChannelConfig['type'];
  send(alert: Alert): Promise<void>;
  close?(): void;
}

type ChannelConfig = AppConfig['alerts']['channels'][number];

/** What a channel type builds; the channel's name and type come from its config. */
type ChannelSender = Pick<AlertChannel, 'send' | 'close'>;

/** Webhook and SMS answers are an acknowledgement; only an error's first 200 characters are kept. */
const ALERT_MAX_ANSWER_BYTES = 64 * 1024;

/**
 * A 2xx is delivery, whatever its body (not read: a large one must not fail a delivered alert and send it
 * again); otherwise the failure with the start of the body, read up to the limit.
 */
async function checkAnswer(channel: string, res: Response): Promise<void> {
  if (res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const body = await readBodyLimited(res, ALERT_MAX_ANSWER_BYTES).catch((err: Error) => err.message);
  throw httpFailure(channel, res.status, body);
}

/** POST one alert over HTTP within the channel's timeout; a failed answer throws as checkAnswer says. */
async function postAlert(
  channel: string,
  url: string,
  request: { headers: Record<string, string>; body: string },
  timeoutSeconds: number,
): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(timeoutSeconds * 1000),
  });
  await checkAnswer(channel, res);
}

/** HTTP answers retrying cannot fix: the request itself or our credentials are wrong. */
function httpFailure(channel: string, status: number, body: string): Error {
  const message = `${channel}: HTTP ${status} ${body.slice(0, 200)}`;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429)
    return ApplicationFailure.nonRetryable(message, 'AlertRejected');
  return new Error(message);
}

function consoleChannel(logger: Logger): ChannelSender {
  return {
    async send(alert) {
      const level = alert.severity === 'critical' ? 'error' : alert.severity === 'warning' ? 'warn' : 'info';
      logger[level](
        { alert: { id: alert.id, type: alert.type, fields: alert.fields, link: alert.link } },
        alertLine(alert),
      );
      return Promise.resolve();
    },
  };
}

/** Appends the alert to the operator event stream, where the console shows it. */
function dashboardChannel(c: ChannelConfig, config: AppConfig, redis?: Redis): ChannelSender {
  if (!redis) throw new Error(`alerts.channels ${c.name}: a dashboard channel needs Redis (redis.url)`);
  return {
    async send(alert) {
      const { id, type, severity, title, text, link, fields } = alert;
      // Unlike bet events (best effort), a failed append is a failed delivery: the activity retries it.
      await appendOpsEvents(redis, config.redis.keyPrefix, [
        { kind: 'alert', data: { id, type, severity, title, text, link, fields } },
      ]);
    },
  };
}

/** JSON POST. Generic bodies carry Slack's `text` and Discord's `content` beside the structured alert. */
function webhookChannel(c: ChannelConfig, secrets: Secrets): ChannelSender {
  const o = AlertChannelOptions.webhook.parse(c.options);
  return {
    async send(alert) {
      const line = alertLine(alert);
      const payload =
        o.format === 'slack'
          ? { text: line }
          : o.format === 'discord'
            ? { content: line.slice(0, 2000) }
            : { text: line, content: line.slice(0, 2000), alert };
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-alphabet-alert-id': alert.id,
      };
      if (secrets.WEBHOOK_SECRET) {
        const ts = String(Math.floor(Date.now() / 1000));
        const mac = createHmac('sha256', secrets.WEBHOOK_SECRET).update(`${ts}.${body}`).digest('hex');
        headers['x-alphabet-timestamp'] = ts;
        headers['x-alphabet-signature'] = `sha256=${mac}`;
      }
      await postAlert(c.name, o.url, { headers, body }, o.timeoutSeconds);
    },
  };
}

function emailChannel(c: ChannelConfig, secrets: Secrets): ChannelSender {
  const o = AlertChannelOptions.email.parse(c.options);
  const transport = nodemailer.createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure,
    // Never the credentials or an alert in clear text unless the config says so (requireTls: false).
    requireTLS: !o.secure && o.requireTls,
    ...(secrets.SMTP_USER ? { auth: { user: secrets.SMTP_USER, pass: secrets.SMTP_PASSWORD ?? '' } } : {}),
    connectionTimeout: o.timeoutSeconds * 1000,
    greetingTimeout: o.timeoutSeconds * 1000,
    socketTimeout: o.timeoutSeconds * 1000,
  });
  return {
    async send(alert) {
      const lines = [alert.text, '', ...Object.entries(alert.fields).map(([k, v]) => `${k}: ${v}`)];
      if (alert.link) lines.push('', alert.link);
      try {
        await transport.sendMail({
          from: o.from,
          to: o.to,
          subject: `[${alert.severity.toUpperCase()}] ${alert.title}`,
          text: lines.join('\n'),
          headers: { 'X-Alphabet-Alert-Id': alert.id },
        });
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ETLS')
          // The server offers no STARTTLS: a retry meets the same server; its config must change.
          throw ApplicationFailure.nonRetryable(
            `${c.name}: ${o.host}:${o.port} offers no TLS, and requireTls is on: refusing to send (${(err as Error).message})`,
            'AlertConfig',
          );
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx SMTP answers (bad address, auth refused) are permanent; 4xx and network trouble are not.
        if (typeof code === 'number' && code >= 500)
          throw ApplicationFailure.nonRetryable(
            `${c.name}: SMTP ${code} ${(err as Error).message}`,
            'AlertRejected',
          );
        throw err;
      }
    },
    close() {
      transport.close();
    },
  };
}

/** Twilio-compatible: POST {baseUrl}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, basic auth. */
function smsChannel(c: ChannelConfig, secrets: Secrets): ChannelSender {
  const o = AlertChannelOptions.sms.parse(c.options);
  return {
    async send(alert) {
      const sid = secrets.TWILIO_ACCOUNT_SID;
      const auth = secrets.TWILIO_AUTH_TOKEN;
      if (!sid || !auth)
        throw ApplicationFailure.nonRetryable(
          `${c.name}: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set in the environment`,
          'AlertConfig',
        );
      const url = `${o.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`;
      for (const to of o.to) {
        const body = new URLSearchParams({ To: to, From: o.from, Body: alertLine(alert).slice(0, 1600) });
        await postAlert(
          c.name,
          url,
          {
            headers: {
              authorization: `Basic ${Buffer.from(`${sid}:${auth}`).toString('base64')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: body.toString(),
          },
          o.timeoutSeconds,
        );
      }
    },
  };
}

interface ChannelContext {
  config: AppConfig;
  secrets: Secrets;
  logger: Logger;
  redis?: Redis;
}

function sender(c: ChannelConfig, { config, secrets, logger, redis }: ChannelContext): ChannelSender {
  switch (c.type) {
    case 'console':
      return consoleChannel(logger);
    case 'dashboard':
      return dashboardChannel(c, config, redis);
    case 'webhook':
      return webhookChannel(c, secrets);
    case 'email':
      return emailChannel(c, secrets);
    case 'sms':
      return smsChannel(c, secrets);
  }
}

/** Every enabled channel of the config, built once per worker (a dashboard channel needs `redis`). */
export function createAlertChannels(
  config: AppConfig,
  secrets: Secrets,
  logger: Logger,
  redis?: Redis,
): AlertChannel[] {
  return config.alerts.channels
    .filter((c) => c.enabled)
    .map((c) => ({ name: c.name, type: c.type, ...sender(c, { config, secrets, logger, redis }) }));
}
