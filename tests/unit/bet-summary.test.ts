import { describe, expect, it } from 'vitest';
import {
  betIdFor,
  betSummary,
  betWorkflowId,
  eventLabel,
  idempotencyKeyFor,
  marketLabel,
  sportLabel,
} from '../../shared/bets';
import { eventMatches, routeAlert, routedEventTypes, type AlertRoute } from '../../shared/alerts';
import { loadConfig, ConfigError } from '../../config/load';
import { AppConfig } from '../../config/schema';

describe('bet identities and the Web UI summary', () => {
  it('derives every id from the opportunity, never from a run', () => {
    expect(betWorkflowId('arb-1f2e')).toBe('bet:arb-1f2e');
    expect(betIdFor('arb-1f2e', 0)).toBe('arb-1f2e#1');
    expect(idempotencyKeyFor('arb-1f2e', 1)).toBe('ab1:arb-1f2e:1');
  });

  it('reads like `ARB 2.3% · NFL KC@BUF spread −3.5 · 42.10 @ 1.95 draftkings`', () => {
    expect(
      betSummary({
        kind: 'arbitrage',
        edge: '0.023',
        sport: 'americanfootball_nfl',
        eventLabel: 'KC@BUF',
        marketType: 'spreads',
        legs: [
          {
            bookmaker: 'draftkings',
            outcome: 'Kansas City Chiefs',
            point: '-3.5',
            price: '1.95',
            stake: '42.1',
          },
        ],
      }),
    ).toBe('ARB 2.3% · NFL KC@BUF spread −3.5 · 42.10 @ 1.95 draftkings');
    expect(
      betSummary({
        kind: 'value',
        edge: '0.05',
        sport: 'soccer_epl',
        eventLabel: 'ARS@CHE',
        marketType: 'totals',
        legs: [{ bookmaker: 'fanduel', outcome: 'Under', point: '2.5', price: '1.9', stake: null }],
      }),
    ).toBe('VALUE 5.0% · EPL ARS@CHE total u2.5 · ? @ 1.9 fanduel');
    expect(sportLabel('tennis')).toBe('TENNIS');
    expect(marketLabel('h2h', 'Buffalo Bills', null)).toBe('ML Buffalo Bills');
    expect(
      eventLabel(
        [
          { name: 'BUF', role: 'home' },
          { name: 'KC', role: 'away' },
        ],
        'e1',
      ),
    ).toBe('KC@BUF');
    expect(eventLabel([], 'e1')).toBe('e1');
  });
});

describe('alert routing', () => {
  const routes: AlertRoute[] = [
    { events: ['bet.placed'], minSeverity: 'info', channels: ['slack'] },
    { events: ['bet.*'], minSeverity: 'warning', channels: ['sms', 'slack'] },
    { events: ['*'], minSeverity: 'critical', channels: ['pager'] },
  ];
  const enabled = new Set(['slack', 'sms', 'pager']);

  it('matches event types by exact name, prefix or everything, at or above the severity', () => {
    expect(eventMatches('bet.*', 'bet.placed')).toBe(true);
    expect(eventMatches('bet.*', 'risk.daily_loss_stop')).toBe(false);
    expect(routeAlert(routes, enabled, 'bet.placed', 'info')).toEqual(['slack']);
    expect(routeAlert(routes, enabled, 'bet.rejected', 'warning')).toEqual(['sms', 'slack']);
    expect(routeAlert(routes, enabled, 'bet.failed', 'critical')).toEqual(['sms', 'slack', 'pager']);
    expect(routeAlert(routes, new Set(['slack']), 'bet.failed', 'critical')).toEqual(['slack']);
    expect(routeAlert(routes, enabled, 'bet.skipped', 'info')).toEqual([]);
  });

  it('tells the workflow which events go anywhere, so it starts no delivery for the rest', () => {
    const types = routedEventTypes(routes, enabled);
    expect(types).toContain('bet.placed');
    expect(types).toContain('risk.daily_loss_stop');
    expect(types).not.toContain('bet.skipped');
    expect(routedEventTypes([], enabled)).toEqual([]);
  });
});

describe('risk, placement and alerts configuration', () => {
  const base = loadConfig({ env: {} }).config;

  it('ships defaults for every new key', () => {
    expect(base.risk).toMatchObject({
      defaultKellyFraction: '0.25',
      stakeUnit: '0.01',
      accounts: { paper: 'paper', live: 'live' },
    });
    expect(base.placement).toMatchObject({
      liveMode: 'manual',
      requote: { maxQuoteAgeSeconds: 60, priceTolerance: '0.02' },
      manual: { confirmationDeadlineSeconds: 900 },
    });
    expect(base.alerts.dedupWindowSeconds).toBe(300);
  });

  it('validates channel options by type and routes against the channel list, naming the key', () => {
    const bad = (alerts: unknown) => AppConfig.safeParse({ ...base, alerts });
    const webhook = bad({
      channels: [{ name: 'hook', type: 'webhook', enabled: true, options: { url: 'ftp://x' } }],
      routes: [],
    });
    expect(webhook.success).toBe(false);
    expect(webhook.error?.issues[0]?.path).toEqual(['alerts', 'channels', 0, 'options', 'url']);
    const typo = bad({
      channels: [
        {
          name: 'mail',
          type: 'email',
          enabled: true,
          options: { host: 'h', port: 25, from: 'a@b', to: ['c@d'], tls: 1 },
        },
      ],
      routes: [],
    });
    expect(typo.error?.issues[0]?.message).toBe('unknown email option');
    const route = bad({ channels: [], routes: [{ events: ['*'], channels: ['nowhere'] }] });
    expect(route.error?.issues[0]?.message).toBe('no channel named "nowhere" in alerts.channels');
    expect(() => loadConfig({ env: { TWILIO_AUTH_TOKEN: 'x' } })).not.toThrow(ConfigError);
  });
});
