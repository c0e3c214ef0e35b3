import { z } from 'zod';
import { Port, Seconds, Url, addOptionIssues } from './schema-primitives';

// The `alerts` section: channels (with each type's options), routes and de-duplication.

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);

/** Options each channel type takes (credentials come from the environment, never from here). */
export const AlertChannelOptions = {
  console: z.strictObject({}),
  /** The operator console: alerts join the live event stream (`GET /api/events`, kind `alert`). */
  dashboard: z.strictObject({}),
  webhook: z.strictObject({
    url: Url(['http:', 'https:']),
    /** Body shape: generic JSON (with Slack's `text` and Discord's `content`), or only what one of them takes. */
    format: z.enum(['generic', 'slack', 'discord']).default('generic'),
    timeoutSeconds: Seconds.default(10),
  }),
  email: z.strictObject({
    host: z.string().min(1),
    port: Port,
    /** TLS from the first byte (465); otherwise STARTTLS. */
    secure: z.boolean().default(false),
    /**
     * Without `secure`, refuse to send (credentials or alerts) unless the server upgrades with STARTTLS.
     * Turn off only for a trusted plain-text relay, e.g. on loopback.
     */
    requireTls: z.boolean().default(true),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    timeoutSeconds: Seconds.default(10),
  }),
  sms: z.strictObject({
    /** Twilio-compatible REST API root, e.g. https://api.twilio.com */
    baseUrl: Url(['http:', 'https:']),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    timeoutSeconds: Seconds.default(10),
  }),
} as const;

const AlertChannel = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lower-case letters, digits, - and _' }),
    type: z.enum(['console', 'dashboard', 'webhook', 'email', 'sms']),
    enabled: z.boolean(),
    options: z.record(z.string(), z.unknown()).default({}),
    /** At most `max` alerts per `perSeconds` on this channel; the rest are dropped (and logged). */
    rateLimit: z
      .strictObject({ max: z.number().int().positive(), perSeconds: Seconds })
      .nullable()
      .default(null),
    /** A failing delivery is retried on its own, never holding up a bet. */
    retry: z
      .strictObject({
        maximumAttempts: z.number().int().positive().default(8),
        initialIntervalSeconds: Seconds.default(1),
        maximumIntervalSeconds: Seconds.default(60),
      })
      .prefault({}),
  })
  .superRefine((channel, ctx) => {
    const parsed = AlertChannelOptions[channel.type].safeParse(channel.options);
    if (parsed.success) return;
    addOptionIssues(ctx, parsed.error, channel.type);
  });

export const AlertsConfig = z
  .strictObject({
    channels: z.array(AlertChannel),
    /** Which alerts go where: event types (`bet.placed`, `bet.*`, `*`) at or above a severity. */
    routes: z
      .array(
        z.strictObject({
          events: z.array(z.string().min(1)).min(1),
          minSeverity: AlertSeverity.default('info'),
          channels: z.array(z.string().min(1)).min(1),
        }),
      )
      .default([{ events: ['*'], minSeverity: 'info', channels: ['console'] }]),
    /** The same alert (type and subject) is sent once within this window. */
    dedupWindowSeconds: z.number().nonnegative().default(300),
  })
  .superRefine((alerts, ctx) => {
    const names = new Set(alerts.channels.map((c) => c.name));
    alerts.routes.forEach((route, i) =>
      route.channels.forEach((name, j) => {
        if (!names.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'channels', j],
            message: `no channel named "${name}" in alerts.channels`,
          });
      }),
    );
  });
