import { convertOdds, formatAmerican, type OddsFormat } from '../../shared/math/odds';

/** The operator's odds format (config operator.oddsFormat, from /api/health). */
let oddsFormat: OddsFormat = 'decimal';

export function setOddsFormat(f: OddsFormat | undefined): void {
  oddsFormat = f ?? 'decimal';
}

export function currentOddsFormat(): OddsFormat {
  return oddsFormat;
}

/** A decimal price (the API's string) in the operator's format, converted exactly by the domain's odds code. */
export function showOdds(decimal: string | null | undefined): string {
  if (decimal === null || decimal === undefined) return '–';
  if (oddsFormat === 'decimal') return decimal;
  const c = convertOdds(decimal, 'decimal');
  return oddsFormat === 'american' ? formatAmerican(c.american, 6) : c.fractional;
}

/** An edge or CLV fraction ("0.0523") as a percentage, exact to the digits given. */
export function percent(fraction: string | null | undefined): string {
  if (fraction === null || fraction === undefined) return '–';
  const n = Number(fraction) * 100;
  return `${n.toFixed(2)}%`;
}

export function marketLabel(type: string, period: string, line: string | null): string {
  return [type, period === 'full' ? null : period, line].filter(Boolean).join(' ');
}
