import { api, ApiRequestError, seg } from './api';
import { h, section, seconds } from './dom';
import { currentOddsFormat, marketLabel, percent, showOdds } from './format';
import type { BetDetailAnswer, BetRow } from './types';

/**
 * A bet slip per bet awaiting confirmation: what to place where, and a form for the price and stake actually
 * got. Slips are kept by bet id across refreshes so a half-typed form survives a live update.
 */

const slips = new Map<string, HTMLElement>();

/** Show `message` under the field the API named (odds, stake, bookReference, override.reason, reason). */
function showError(slip: HTMLElement, err: unknown): void {
  for (const el of slip.querySelectorAll<HTMLElement>('[data-error-for]')) el.textContent = '';
  const e = err instanceof ApiRequestError ? err : new ApiRequestError(0, null, String(err));
  const target =
    slip.querySelector<HTMLElement>(`[data-error-for="${e.field ?? ''}"]`) ??
    slip.querySelector<HTMLElement>('[data-error-for="general"]')!;
  target.textContent = e.message;
  // A price outside the tolerance can still be taken, with a reason: offer the field.
  if (e.field === 'odds' && /override/.test(e.message))
    slip.querySelector<HTMLElement>('.override')!.hidden = false;
}

function field(label: string, input: HTMLInputElement, name: string): HTMLElement {
  return h('label', { class: 'field' }, label, input, h('div', { class: 'error', 'data-error-for': name }));
}

/** The slip from the bet's row (one SQL read, so it shows at once); applyDetail adds the lifecycle's part. */
function buildSlip(bet: BetRow): HTMLElement {
  const odds = h('input', { name: 'odds', placeholder: showOdds(bet.price), autocomplete: 'off' });
  const stake = h('input', { name: 'stake', value: bet.stake, autocomplete: 'off' });
  const ref = h('input', { name: 'bookReference', placeholder: 'optional', autocomplete: 'off' });
  const override = h('input', { name: 'override', placeholder: 'why take this price', autocomplete: 'off' });
  const skipReason = h('input', { name: 'skipReason', placeholder: 'reason', autocomplete: 'off' });
  const overrideField = field('Override reason', override, 'override.reason');
  overrideField.classList.add('override');
  overrideField.hidden = true;

  const slip = h(
    'article',
    { class: 'slip provisional', 'data-bet-id': bet.betId },
    h(
      'header',
      {},
      h('strong', {}, bet.bookmaker),
      ' · ',
      h('span', { class: 'event' }, bet.eventId),
      ' · ',
      h('span', { class: 'market' }, bet.market),
      ' · ',
      h('strong', {}, bet.outcome, bet.point ? ` ${bet.point}` : ''),
    ),
    h(
      'dl',
      {},
      h('dt', {}, `Quoted (${currentOddsFormat()})`),
      h('dd', { class: 'quoted' }, showOdds(bet.price)),
      h('dt', {}, 'Suggested stake'),
      h('dd', { class: 'suggested' }, bet.stake),
      h('dt', {}, 'Edge'),
      h('dd', { class: 'edge' }, '…'),
      h('dt', {}, 'Time left'),
      h('dd', { class: 'countdown' }, '…'),
    ),
  );
  const form = h(
    'form',
    { class: 'confirm' },
    field(`Odds got (${currentOddsFormat()})`, odds, 'odds'),
    field('Stake got', stake, 'stake'),
    field('Book reference', ref, 'bookReference'),
    overrideField,
    h('button', { type: 'submit' }, 'Confirm'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {
      odds: odds.value.trim(),
      oddsFormat: currentOddsFormat(),
      stake: stake.value.trim(),
      ...(ref.value.trim() ? { bookReference: ref.value.trim() } : {}),
      ...(!overrideField.hidden && override.value.trim()
        ? { override: { reason: override.value.trim() } }
        : {}),
    };
    api
      .post(`/api/bets/${seg(bet.betId)}/confirm`, body)
      .then(() => settled(slip, 'confirmed'))
      .catch((err: unknown) => showError(slip, err));
  });
  const skip = h(
    'form',
    { class: 'skip' },
    field('Skip reason', skipReason, 'reason'),
    h('button', { type: 'submit' }, 'Skip'),
  );
  skip.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api
      .post(`/api/bets/${seg(bet.betId)}/skip`, { reason: skipReason.value.trim() })
      .then(() => settled(slip, 'skipped'))
      .catch((err: unknown) => showError(slip, err));
  });
  slip.append(
    form,
    skip,
    h('div', { class: 'error', 'data-error-for': 'general' }),
    h('a', { href: '#', target: '_blank', rel: 'noopener', class: 'lifecycle' }, 'lifecycle in Temporal'),
  );
  return slip;
}

function settled(slip: HTMLElement, what: string): void {
  slip.classList.add('done');
  slip.querySelector('[data-error-for="general"]')!.textContent = `${what}`;
  for (const b of slip.querySelectorAll('button')) b.disabled = true;
}

/** Resolves true when a slip is provisional and should be looked at again shortly. */
/** The lifecycle's part of a slip: event label, market, edge, deadline, Web UI link. */
function applyDetail(slip: HTMLElement, d: BetDetailAnswer): void {
  const { lifecycle } = d;
  const leg = lifecycle?.legs.find((l) => l.betId === d.bet.betId);
  const set = (selector: string, text: string) => (slip.querySelector(selector)!.textContent = text);
  if (lifecycle?.eventLabel) set('.event', lifecycle.eventLabel);
  if (lifecycle?.market)
    set('.market', marketLabel(lifecycle.market.marketType, lifecycle.market.period, lifecycle.market.line));
  if (leg?.stake) set('.suggested', leg.stake);
  set('.edge', percent(lifecycle?.edge));
  slip.querySelector('a.lifecycle')!.setAttribute('href', d.workflowUrl);
  const deadline = lifecycle?.confirmationDeadline;
  const countdown = slip.querySelector<HTMLElement>('.countdown')!;
  if (deadline) countdown.dataset.deadline = deadline;
  // The bet's row can change before its lifecycle has set the deadline: looked at again shortly.
  slip.classList.toggle('provisional', !deadline);
}

const loading = new Set<string>();

/**
 * The lifecycle's part of a slip, fetched beside the list refresh (a Temporal query can be slow under load and
 * must not hold back the next bet's slip). Until it has the deadline, it looks again every half second.
 */
function loadDetail(id: string, slip: HTMLElement): void {
  if (loading.has(id)) return;
  loading.add(id);
  void api
    .get<BetDetailAnswer>(`/api/bets/${seg(id)}`)
    .then((d) => applyDetail(slip, d))
    .catch(() => undefined) // the slip stays usable; tried again below
    .finally(() => {
      loading.delete(id);
      if (slip.isConnected && slip.classList.contains('provisional'))
        setTimeout(() => loadDetail(id, slip), 500);
    });
}

export async function refreshSlips(): Promise<void> {
  const { bets } = await api.get<{ bets: BetRow[] }>('/api/bets?status=awaiting_confirmation&limit=100');
  const body = section('slips');
  const wanted = new Set(bets.map((b) => b.betId));
  for (const [id, el] of slips)
    if (!wanted.has(id)) {
      el.remove();
      slips.delete(id);
    }
  for (const b of bets) {
    if (slips.has(b.betId)) continue;
    const slip = buildSlip(b);
    slips.set(b.betId, slip);
    body.append(slip);
    loadDetail(b.betId, slip);
  }
  body.querySelector('.empty')?.remove();
  if (slips.size === 0) body.append(h('p', { class: 'muted empty' }, 'No bet is waiting for you.'));
  tickCountdowns();
}

/** Time left on each slip, every second. */
export function tickCountdowns(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.countdown[data-deadline]')) {
    const left = (Date.parse(el.dataset.deadline!) - Date.now()) / 1000;
    el.textContent = left > 0 ? seconds(left) : 'expired';
    el.classList.toggle('urgent', left < 30);
  }
}
