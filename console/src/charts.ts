import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, seg } from './api';
import { h, section } from './dom';
import type { BankrollAccount, PerformancePoint } from './types';

/**
 * Bankroll over time, cumulative P&L and CLV per strategy, exposure by sport and by event (uPlot). Each drawn
 * chart's data is also at `window.__charts[name]` (uPlot's own data arrays, the x labels and range, or the
 * message shown instead of an empty chart), which the browser tests compare with the API's series. Amounts
 * become numbers only here, to be drawn.
 */

interface DrawnChart {
  data: uPlot.AlignedData;
  labels?: string[];
  /** The x scale drawn, [min, max]; null when there was nothing to draw. */
  x: [number, number] | null;
  /** The message shown instead of a chart when there is no data. */
  empty?: string;
}
declare global {
  interface Window {
    __charts: Record<string, DrawnChart>;
  }
}
window.__charts = {};

const plots = new Map<string, uPlot>();
const WIDTH = 560;
const HEIGHT = 220;

/** Draw a chart, or say `empty` in its place when there is no point: uPlot would draw an axis around 1970. */
function draw(
  name: string,
  host: HTMLElement,
  opts: Omit<uPlot.Options, 'width' | 'height'> & { title: string },
  data: uPlot.AlignedData,
  empty: string,
  labels?: string[],
): void {
  plots.get(name)?.destroy();
  plots.delete(name);
  if (data[0].length === 0) {
    host.replaceChildren(
      h('div', { class: 'chart-empty' }, h('div', { class: 'u-title' }, opts.title), h('p', {}, empty)),
    );
    window.__charts[name] = { data, x: null, empty };
    return;
  }
  host.replaceChildren();
  const drawn: DrawnChart = { data, x: null, ...(labels ? { labels } : {}) };
  // uPlot sets its scales after the constructor returns, so the x range is taken when it is set.
  const setScale = (u: uPlot, key: string) => {
    if (key === 'x') drawn.x = [u.scales.x!.min!, u.scales.x!.max!];
  };
  const plot = new uPlot(
    { width: WIDTH, height: HEIGHT, ...opts, hooks: { setScale: [setScale] } },
    data,
    host,
  );
  plots.set(name, plot);
  drawn.data = plot.data;
  window.__charts[name] = drawn;
}

const seconds = (iso: string) => Date.parse(iso) / 1000;
/** Room for amounts such as 10,150.25 on a y axis. */
const AXIS = 80;
/**
 * A time axis spans two hours at least, centred on the points: one point, or points a second apart (a
 * deposit, a reservation and a placement), would otherwise get years or milliseconds as labels.
 */
const MIN_TIME_SPAN = 7200;
const timeRange: uPlot.Range.Function = (_u, min, max) => {
  if (max - min >= MIN_TIME_SPAN) return [min, max];
  const middle = (min + max) / 2;
  return [middle - MIN_TIME_SPAN / 2, middle + MIN_TIME_SPAN / 2];
};
/** Points drawn as dots while there are few: uPlot hides them when they crowd, as seconds apart on two hours. */
const FEW_POINTS = 50;
const dotsWhenFew: uPlot.Series.Points = { show: (_u, _s, i0, i1) => i1 - i0 < FEW_POINTS };

/** Stake at risk per row of an exposure list, each bar labelled by `label`. */
function bars<T extends { stake: string }>(
  name: string,
  host: HTMLElement,
  title: string,
  rows: readonly T[],
  label: (row: T) => string,
): void {
  const labels = rows.map(label);
  draw(
    name,
    host,
    {
      title,
      scales: { x: { time: false, range: [-0.5, Math.max(labels.length - 0.5, 0.5)] } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => labels[t] ?? ''), incrs: [1] }, {}],
      series: [
        {},
        {
          label: 'stake at risk',
          fill: 'rgba(60,120,200,0.5)',
          stroke: '#3c78c8',
          paths: uPlot.paths.bars!({ size: [0.6, 80] }),
        },
      ],
    },
    [labels.map((_, i) => i), rows.map((r) => Number(r.stake))],
    'nothing at risk',
    labels,
  );
}

const hosts = {
  bankroll: h('div', { class: 'chart', id: 'chart-bankroll' }),
  performance: h('div', { class: 'chart', id: 'chart-performance' }),
  sport: h('div', { class: 'chart', id: 'chart-exposure-sport' }),
  event: h('div', { class: 'chart', id: 'chart-exposure-event' }),
};
const accountSelect = h('select', { name: 'account' });
const strategySelect = h('select', { name: 'strategy' });

export function mountCharts(refresh: () => void): void {
  accountSelect.addEventListener('change', refresh);
  strategySelect.addEventListener('change', refresh);
  section('charts').replaceChildren(
    h('label', {}, 'Account ', accountSelect),
    h('label', {}, ' Strategy ', strategySelect),
    h('div', { class: 'charts' }, hosts.bankroll, hosts.performance, hosts.sport, hosts.event),
  );
}

/** Keep a select's choice when its options are rebuilt. */
function options(select: HTMLSelectElement, values: string[], preferred?: string): void {
  const keep = select.value || preferred || '';
  select.replaceChildren(...values.map((v) => h('option', { value: v }, v)));
  if (values.includes(keep)) select.value = keep;
}

export async function refreshCharts(strategies: string[]): Promise<void> {
  const { accounts } = await api.get<{ accounts: BankrollAccount[] }>('/api/bankroll');
  options(
    accountSelect,
    accounts.map((a) => a.account),
    accounts.find((a) => a.kind === 'paper')?.account,
  );
  options(strategySelect, strategies);
  const account = accounts.find((a) => a.account === accountSelect.value);
  const strategy = strategySelect.value;

  const [history, performance] = await Promise.all([
    account
      ? api.get<{ at: string; balance: string }[]>(`/api/bankroll/history?account=${seg(account.account)}`)
      : Promise.resolve([]),
    strategy
      ? api.get<PerformancePoint[]>(`/api/strategies/${seg(strategy)}/performance`)
      : Promise.resolve([]),
  ]);

  draw(
    'bankroll',
    hosts.bankroll,
    {
      title: `Bankroll ${account?.account ?? ''}`,
      scales: { x: { range: timeRange } },
      axes: [{}, { size: AXIS }],
      series: [{}, { label: 'balance', stroke: '#2a7', points: dotsWhenFew }],
    },
    [history.map((p) => seconds(p.at)), history.map((p) => Number(p.balance))],
    account ? 'no balance history yet' : 'no account yet',
  );
  draw(
    'performance',
    hosts.performance,
    {
      title: `Cumulative P&L and CLV ${strategy}`,
      scales: { x: { range: timeRange }, clv: {} },
      axes: [{}, { size: AXIS }, { scale: 'clv', side: 1, size: AXIS, grid: { show: false } }],
      series: [
        {},
        { label: 'P&L', stroke: '#c33', points: dotsWhenFew },
        { label: 'CLV', stroke: '#36c', scale: 'clv', points: dotsWhenFew },
      ],
    },
    [
      performance.map((p) => seconds(p.at)),
      performance.map((p) => Number(p.cumulativePnl)),
      performance.map((p) => Number(p.cumulativeClv)),
    ],
    strategy ? 'no settled bets yet' : 'no strategy configured',
  );
  bars('exposureBySport', hosts.sport, 'Exposure by sport', account?.exposureBySport ?? [], (s) => s.sport);
  bars('exposureByEvent', hosts.event, 'Exposure by event', account?.exposureByEvent ?? [], (e) => e.eventId);
}
