import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { createPool } from '../../activities/infra/postgres';
import { bankroll, type BankrollView } from '../../activities/bets/queries';
import { D } from '../../shared/math';
import { emit, UsageError, type OutputOptions } from '../output';

function render(a: BankrollView): string {
  const m = (x: string) => new D(x).toFixed(2);
  return [
    `${a.account} (${a.kind}, ${a.currency}): balance ${m(a.balance)} · available ${m(a.available)} · reserved ${m(a.reserved)} · at risk ${m(a.atRisk)} · today's P&L ${m(a.todayProfitLoss)}`,
    ...(a.exposureBySport.length ? ['  exposure by sport:'] : []),
    ...a.exposureBySport.map((s) => `    ${s.sport.padEnd(28)} ${m(s.stake).padStart(12)}  (${s.bets} bets)`),
    ...(a.exposureByEvent.length ? ['  exposure by event (all markets of an event are one position):'] : []),
    ...a.exposureByEvent.map(
      (e) => `    ${e.eventId.padEnd(28)} ${m(e.stake).padStart(12)}  (${e.bets} bets, ${e.sport})`,
    ),
  ].join('\n');
}

export function registerBankroll(program: Command): void {
  program
    .command('bankroll')
    .description("balance, reserved, today's P&L and open exposure by event and sport, per ledger account")
    .option('--account <name>', 'only this ledger account (default: every account)')
    .option('--json', 'machine-readable output')
    .action(async (opts: OutputOptions & { account?: string }) => {
      if (opts.account !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_:.-]*$/.test(opts.account))
        throw new UsageError(`--account: ${JSON.stringify(opts.account)} is not an account name`);
      const loaded = loadConfig();
      const db = createPool(loaded.config.database.url, 2);
      try {
        const accounts = await bankroll(db, loaded.config.risk.dayTimeZone, opts.account);
        if (opts.account && accounts.length === 0)
          throw new UsageError(`--account: no ledger account ${JSON.stringify(opts.account)}`);
        emit({ accounts }, opts, (r) =>
          r.accounts.length ? r.accounts.map(render).join('\n\n') : 'no ledger accounts yet',
        );
      } finally {
        await db.end();
      }
    });
}
