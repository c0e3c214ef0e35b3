import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, seg } from './api';
import { h, section } from './dom';
import type { BankrollAccount, PerformancePoint } from './types';

/**
 * Bankroll over time, cumulative P&L and CLV per strategy, exposure by sport and by event (uPlot). Each drawn
 * chart's data is also at `window.__charts[name]` (uPlot's own data arrays and the x labels), which the
 * browser tests compare with the API's series. Amounts become numbers only here, to be drawn.
 */

interface DrawnChart {
  data: uPlot.AlignedData;
  labels?: string[];
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

function draw(
  name: string,
  host: HTMLElement,
  opts: Omit<uPlot.Options, 'width' | 'height'>,
  data: uPlot.AlignedData,
  labels?: string[],
): void {
  plots.get(name)?.destroy();
  host.replaceChildren();
  const plot = new uPlot({ width: WIDTH, height: HEIGHT, ...opts }, data, host);
  plots.set(name, plot);
  window.__charts[name] = { data: plot.data, ...(labels ? { labels } : {}) };
}

const seconds = (iso: string) => Date.parse(iso) / 1000;
/** Room for amounts such as 10,150.25 on a y axis. */
const AXIS = 80;
/** A series of one point gets an hour either side instead of uPlot's years. */
const timeRange: uPlot.Range.Function = (_u, min, max) =>
  min === max ? [min - 3600, max + 3600] : [min, max];

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
      series: [{}, { label: 'balance', stroke: '#2a7' }],
    },
    [history.map((p) => seconds(p.at)), history.map((p) => Number(p.balance))],
  );
  draw(
    'performance',
    hosts.performance,
    {
      title: `Cumulative P&L and CLV ${strategy}`,
      scales: { x: { range: timeRange }, clv: {} },
      axes: [{}, { size: AXIS }, { scale: 'clv', side: 1, size: AXIS, grid: { show: false } }],
      series: [{}, { label: 'P&L', stroke: '#c33' }, { label: 'CLV', stroke: '#36c', scale: 'clv' }],
    },
    [
      performance.map((p) => seconds(p.at)),
      performance.map((p) => Number(p.cumulativePnl)),
      performance.map((p) => Number(p.cumulativeClv)),
    ],
  );
  bars('exposureBySport', hosts.sport, 'Exposure by sport', account?.exposureBySport ?? [], (s) => s.sport);
  bars('exposureByEvent', hosts.event, 'Exposure by event', account?.exposureByEvent ?? [], (e) => e.eventId);
}
