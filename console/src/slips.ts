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

function buildSlip(d: BetDetailAnswer): HTMLElement {
  const { bet, lifecycle } = d;
  const leg = lifecycle?.legs.find((l) => l.betId === bet.betId);
  const market = lifecycle?.market;
  const odds = h('input', { name: 'odds', placeholder: showOdds(bet.price), autocomplete: 'off' });
  const stake = h('input', { name: 'stake', value: leg?.stake ?? bet.stake, autocomplete: 'off' });
  const ref = h('input', { name: 'bookReference', placeholder: 'optional', autocomplete: 'off' });
  const override = h('input', { name: 'override', placeholder: 'why take this price', autocomplete: 'off' });
  const skipReason = h('input', { name: 'skipReason', placeholder: 'reason', autocomplete: 'off' });
  const overrideField = field('Override reason', override, 'override.reason');
  overrideField.classList.add('override');
  overrideField.hidden = true;
  const deadline = lifecycle?.confirmationDeadline ?? null;

  const slip = h(
    'article',
    { class: 'slip', 'data-bet-id': bet.betId },
    h(
      'header',
      {},
      h('strong', {}, bet.bookmaker),
      ' · ',
      lifecycle?.eventLabel ?? bet.eventId,
      ' · ',
      market ? marketLabel(market.marketType, market.period, market.line) : bet.market,
      ' · ',
      h('strong', {}, bet.outcome, bet.point ? ` ${bet.point}` : ''),
    ),
    h(
      'dl',
      {},
      h('dt', {}, `Quoted (${currentOddsFormat()})`),
      h('dd', { class: 'quoted' }, showOdds(bet.price)),
      h('dt', {}, 'Suggested stake'),
      h('dd', { class: 'suggested' }, leg?.stake ?? bet.stake),
      h('dt', {}, 'Edge'),
      h('dd', {}, percent(lifecycle?.edge)),
      h('dt', {}, 'Time left'),
      h('dd', { class: 'countdown', 'data-deadline': deadline ?? undefined }, deadline ? '' : 'no deadline'),
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
    h(
      'a',
      { href: d.workflowUrl, target: '_blank', rel: 'noopener', class: 'lifecycle' },
      'lifecycle in Temporal',
    ),
  );
  return slip;
}

function settled(slip: HTMLElement, what: string): void {
  slip.classList.add('done');
  slip.querySelector('[data-error-for="general"]')!.textContent = `${what}`;
  for (const b of slip.querySelectorAll('button')) b.disabled = true;
}

/** Resolves true when a slip is provisional and should be looked at again shortly. */
export async function refreshSlips(): Promise<boolean> {
  const { bets } = await api.get<{ bets: BetRow[] }>('/api/bets?status=awaiting_confirmation&limit=100');
  const body = section('slips');
  const wanted = new Set(bets.map((b) => b.betId));
  for (const [id, el] of slips)
    if (!wanted.has(id)) {
      el.remove();
      slips.delete(id);
    }
  let provisional = false;
  for (const b of bets) {
    const shown = slips.get(b.betId);
    if (shown && !shown.classList.contains('provisional')) continue;
    const d = await api.get<BetDetailAnswer>(`/api/bets/${seg(b.betId)}`);
    const slip = buildSlip(d);
    // The bet's row can change before its lifecycle has set the deadline: shown now, completed shortly.
    if (!d.lifecycle?.confirmationDeadline) {
      slip.classList.add('provisional');
      provisional = true;
    }
    if (shown) shown.replaceWith(slip);
    else body.append(slip);
    slips.set(b.betId, slip);
  }
  body.querySelector('.empty')?.remove();
  if (slips.size === 0) body.append(h('p', { class: 'muted empty' }, 'No bet is waiting for you.'));
  tickCountdowns();
  return provisional;
}

/** Time left on each slip, every second. */
export function tickCountdowns(): void {
  for (const el of document.querySelectorAll<HTMLElement>('.countdown[data-deadline]')) {
    const left = (Date.parse(el.dataset.deadline!) - Date.now()) / 1000;
    el.textContent = left > 0 ? seconds(left) : 'expired';
    el.classList.toggle('urgent', left < 30);
  }
}
