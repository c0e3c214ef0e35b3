import './style.css';
import { api, setToken, getToken } from './api';
import { mountCharts, refreshCharts } from './charts';
import { mountSections } from './dom';
import { connectEvents } from './events';
import { setOddsFormat } from './format';
import { refreshBets, refreshOpportunities, showAlert, tickAges } from './lists';
import { refreshSlips, tickCountdowns } from './slips';
import { onStrategiesChanged, refreshStrategies } from './strategies';
import type { Health } from './types';

/**
 * The operator console: one page, each section refreshed from /api when the live stream says something it
 * shows changed (and every 15 s in case an event was missed).
 */

const healthEl = document.querySelector<HTMLElement>('#health')!;
const liveEl = document.querySelector<HTMLElement>('#live')!;
let strategyNames: string[] = [];

function report(where: string) {
  return (err: unknown) => {
    healthEl.textContent = `${where}: ${(err as Error).message}`;
    healthEl.className = 'error';
  };
}

/** Run each section's refresh at most once at a time; a request while one runs queues one more. */
function serial(fn: () => Promise<void>, where: string): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  const go = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = fn()
      .catch(report(where))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          go();
        }
      });
  };
  return go;
}

const slips = serial(refreshSlips, 'bet slips');
const bets = serial(refreshBets, 'bets');
const opportunities = serial(refreshOpportunities, 'opportunities');
const charts = serial(() => refreshCharts(strategyNames), 'charts');
const strategies = serial(async () => {
  strategyNames = (await refreshStrategies()).map((s) => s.name);
}, 'strategies');

async function health(): Promise<void> {
  const h = await api.get<Health>('/api/health');
  setOddsFormat(h.oddsFormat);
  const down = (['temporal', 'postgres', 'redis'] as const).filter((k) => !h[k]);
  healthEl.className = down.length ? 'error' : 'ok';
  healthEl.replaceChildren(
    down.length ? `down: ${down.join(', ')} · ` : `v${h.version} · `,
    Object.assign(document.createElement('a'), {
      href: h.uiUrl,
      target: '_blank',
      textContent: 'Temporal Web UI',
    }),
  );
}

function refreshAll(): void {
  slips();
  bets();
  opportunities();
  strategies();
  charts();
}

const tokenInput = document.querySelector<HTMLInputElement>('#token')!;
tokenInput.value = getToken() ?? '';
document.querySelector('#token-form')!.addEventListener('submit', (ev) => {
  ev.preventDefault();
  setToken(tokenInput.value);
  void health().then(refreshAll, report('health'));
});

mountSections(document.querySelector('main')!);
mountCharts(charts);
onStrategiesChanged(() => {
  strategies();
  charts();
});

void health()
  .then(() => {
    refreshAll();
    connectEvents(
      (e) => {
        if (e.kind === 'bet') {
          slips();
          bets();
          charts();
        } else if (e.kind === 'settlement') {
          bets();
          charts();
        } else if (e.kind === 'opportunity') opportunities();
        else if (e.kind === 'alert') showAlert(e.data as Parameters<typeof showAlert>[0]);
      },
      (connected) => {
        liveEl.textContent = connected ? '● live' : '○ reconnecting';
        liveEl.className = connected ? 'ok' : 'muted';
        if (connected) refreshAll(); // whatever happened while the stream was down
      },
    );
  })
  .catch(report('health'));

setInterval(() => {
  tickCountdowns();
  tickAges();
}, 1000);
setInterval(() => {
  slips();
  bets();
  opportunities();
  // A form being typed in is not rebuilt under the operator's hands.
  if (!document.querySelector('#strategies')?.contains(document.activeElement)) strategies();
}, 15_000);
