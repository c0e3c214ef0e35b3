/** This run's own names (sport, strategy, account), so parallel runs never share rows or keys. */
export function runNames(tag: string, accountKind: 'paper' | 'live' = 'paper') {
  const run = Math.random().toString(36).slice(2, 8);
  return {
    run,
    SPORT: `test_${tag}_${run}`,
    STRATEGY: `${tag}-${run}`,
    ACCOUNT: `${accountKind}-${tag}-${run}`,
  };
}
