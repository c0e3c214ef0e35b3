import { api, seg } from './api';
import { h, row, section, seconds, table } from './dom';
import { marketLabel, percent, showOdds } from './format';
import type { BetDetailAnswer, BetRow, BoardQuote, Opportunity } from './types';

/** Live opportunities, open bets (with the board's quote ages) and settled bets (P&L and CLV). */

const SETTLED = new Set(['won', 'lost', 'push', 'voided']);

/** An age that keeps counting between refreshes: `data-age-at` is when `data-age` seconds was true. */
function age(secondsOld: number): HTMLElement {
  const el = h('span', { class: 'age', 'data-age': String(secondsOld), 'data-age-at': String(Date.now()) });
  el.textContent = seconds(secondsOld);
  return el;
}

export function tickAges(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.age'))
    el.textContent = seconds(Number(el.dataset.age) + (Date.now() - Number(el.dataset.ageAt)) / 1000);
}

/**
 * Link to the bet's lifecycle in the Temporal Web UI. The list rows do not carry the URL, so the bet's detail
 * (which does) is read when the operator points at the link.
 */
function lifecycleLink(b: BetRow): HTMLElement {
  const a = h(
    'a',
    { class: 'lifecycle', target: '_blank', rel: 'noopener', href: b.workflowUrl ?? '#' },
    'lifecycle',
  );
  if (!b.workflowUrl) {
    const resolve = () =>
      void api
        .get<BetDetailAnswer>(`/api/bets/${seg(b.betId)}`)
        .then((d) => a.setAttribute('href', d.workflowUrl))
        .catch(() => undefined);
    a.addEventListener('mouseenter', resolve, { once: true });
    a.addEventListener('focus', resolve, { once: true });
  }
  return a;
}

export async function refreshOpportunities(): Promise<void> {
  const { opportunities } = await api.get<{ opportunities: Opportunity[] }>('/api/opportunities?limit=30');
  const rows = opportunities.map((o) => {
    const ages = o.legs.map((l) => l.quoteAgeMs).filter((x): x is number => typeof x === 'number');
    return row(
      age((Date.now() - Date.parse(o.detectedAt)) / 1000),
      o.strategy,
      o.eventId,
      marketLabel(o.marketType, o.period, o.line),
      o.legs.map((l) => `${l.bookmaker ?? ''} ${l.outcome ?? ''} ${showOdds(l.price)}`).join(' / '),
      ages.length ? seconds(Math.max(...ages) / 1000) : '–',
      percent(o.edge),
      o.decision,
      o.reason ?? '',
    );
  });
  section('opportunities').replaceChildren(
    table(
      ['seen', 'strategy', 'event', 'market', 'legs', 'quote age at detection', 'edge', 'decision', 'reason'],
      rows,
      'No opportunity recorded yet.',
    ),
  );
}

export async function refreshBets(): Promise<void> {
  const [{ bets }, board] = await Promise.all([
    api.get<{ bets: BetRow[] }>('/api/bets?limit=200'),
    api.get<{ events: { eventId: string; markets: { quotes: BoardQuote[] }[] }[] }>('/api/board'),
  ]);
  // The current board quote of each open bet's book and outcome, for its age.
  const quotes = new Map<string, BoardQuote>();
  for (const e of board.events)
    for (const m of e.markets)
      for (const q of m.quotes) quotes.set(`${e.eventId}|${q.bookmaker}|${q.outcome}|${q.point ?? ''}`, q);

  const open = bets
    .filter((b) => b.status === 'placed')
    .map((b) => {
      const q = quotes.get(`${b.eventId}|${b.bookmaker}|${b.outcome}|${b.point ?? ''}`);
      return row(
        b.strategy,
        b.eventId,
        b.market,
        `${b.outcome}${b.point ? ` ${b.point}` : ''}`,
        b.bookmaker,
        b.stake,
        showOdds(b.price),
        q ? showOdds(q.price) : '–',
        q ? age(q.ageSeconds) : 'no quote',
        lifecycleLink(b),
      );
    });
  section('open-bets').replaceChildren(
    table(
      ['strategy', 'event', 'market', 'outcome', 'book', 'stake', 'price', 'now', 'quote age', ''],
      open,
      'No open bet.',
    ),
  );

  const done = bets
    .filter((b) => SETTLED.has(b.status))
    .map((b) =>
      row(
        b.settledAt ? new Date(b.settledAt).toLocaleString() : '',
        b.strategy,
        b.eventId,
        `${b.outcome}${b.point ? ` ${b.point}` : ''}`,
        b.status,
        b.stake,
        showOdds(b.price),
        h('td', { class: Number(b.profitLoss ?? 0) < 0 ? 'num loss' : 'num' }, b.profitLoss ?? '–'),
        percent(b.clvSharp),
        percent(b.clvBook),
        lifecycleLink(b),
      ),
    );
  section('settled').replaceChildren(
    table(
      [
        'settled',
        'strategy',
        'event',
        'outcome',
        'result',
        'stake',
        'price',
        'P&L',
        'CLV (sharp)',
        'CLV (book)',
        '',
      ],
      done,
      'No settled bet yet.',
    ),
  );
}

/** Alerts from the live stream (the `dashboard` channel), newest first, the last 20. */
export function showAlert(a: {
  severity?: string;
  title?: string;
  text?: string;
  link?: string | null;
}): void {
  const body = section('alerts');
  body.querySelector('.muted')?.remove();
  const item = h(
    'div',
    { class: `alert ${a.severity ?? ''}` },
    h('strong', {}, `${a.severity ?? ''} ${a.title ?? ''}`),
    ' ',
    a.text ?? '',
    a.link ? h('a', { href: a.link, target: '_blank', rel: 'noopener' }, ' open') : null,
  );
  body.prepend(item);
  while (body.children.length > 20) body.lastElementChild?.remove();
}
