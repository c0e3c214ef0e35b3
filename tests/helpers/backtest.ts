import { runBacktestCommand, type BacktestCliResult } from '../../cli/commands/backtest';

type BacktestCommandOptions = Parameters<typeof runBacktestCommand>[0];

/**
 * `alphabet backtest` as the command runs it, with the CLI's defaults for every option a test leaves out
 * (no report written, no progress bar).
 */
export function backtestCommand(
  options: Partial<BacktestCommandOptions> & Pick<BacktestCommandOptions, 'strategy'>,
): Promise<BacktestCliResult> {
  return runBacktestCommand({
    param: [],
    bankroll: '100',
    clvBook: 'pinnacle',
    unit: '0.01',
    snapshots: 'changed',
    groups: true,
    out: '',
    progress: false,
    ...options,
  });
}
