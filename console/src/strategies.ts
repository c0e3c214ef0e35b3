import { api, ApiRequestError, seg } from './api';
import { h, row, section, table } from './dom';
import type { Strategy } from './types';

/** Per strategy: mode, rollout stage, pause/resume, parameters (errors shown by field); the paper form. */

let onChange: () => void = () => undefined;

/**
 * Put `err` under the input the API named; a name may come as `kellyFraction` or `parameters.kellyFraction`.
 * An answer that arrives after a refresh re-drew the strategy's row goes to the form now on screen.
 */
function showFieldError(submitted: HTMLElement, err: unknown): void {
  const name = submitted.dataset.strategy;
  const form =
    submitted.isConnected || name === undefined
      ? submitted
      : (document.querySelector<HTMLElement>(`form.parameters[data-strategy="${CSS.escape(name)}"]`) ??
        submitted);
  for (const el of form.querySelectorAll<HTMLElement>('[data-error-for]')) el.textContent = '';
  const e = err instanceof ApiRequestError ? err : new ApiRequestError(0, null, String(err));
  const field = e.field?.replace(/^(parameters|params)\./, '') ?? '';
  const target =
    form.querySelector<HTMLElement>(`[data-error-for="${field}"]`) ??
    form.querySelector<HTMLElement>('[data-error-for="general"]')!;
  target.textContent = e.message;
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function parametersForm(s: Strategy): HTMLElement {
  const inputs = Object.entries(s.parameters).map(([k, v]) => {
    const input = h('input', { name: k, value: shown(v), autocomplete: 'off' });
    return { k, v, input };
  });
  const form = h(
    'form',
    { class: 'parameters', 'data-strategy': s.name },
    ...inputs.map(({ k, input }) =>
      h('label', { class: 'field' }, k, input, h('div', { class: 'error', 'data-error-for': k })),
    ),
    h('button', { type: 'submit' }, 'Save parameters'),
    h('div', { class: 'error', 'data-error-for': 'general' }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // Only what changed; text is read by the API the way the CLI reads `key=value`.
    const parameters = Object.fromEntries(
      inputs
        .filter(({ v, input }) => input.value.trim() !== shown(v))
        .map(({ k, input }) => [k, input.value.trim()]),
    );
    if (Object.keys(parameters).length === 0) {
      showFieldError(form, new ApiRequestError(400, null, 'nothing changed'));
      return;
    }
    api
      .patch(`/api/strategies/${seg(s.name)}/parameters`, { parameters })
      .then(() => {
        showFieldError(form, new ApiRequestError(200, null, 'saved'));
        onChange();
      })
      .catch((err: unknown) => showFieldError(form, err));
  });
  return form;
}

function control(s: Strategy, verb: 'pause' | 'resume', out: HTMLElement): HTMLButtonElement {
  const b = h(
    'button',
    { type: 'button', class: verb, 'data-strategy': s.name },
    verb === 'pause' ? 'Pause' : 'Resume',
  );
  b.disabled = s.paused === null || s.paused === (verb === 'pause');
  b.addEventListener('click', () => {
    api
      .post(`/api/strategies/${seg(s.name)}/${verb}`, {})
      .then(() => onChange())
      .catch((err: unknown) => (out.textContent = (err as Error).message));
  });
  return b;
}

export async function refreshStrategies(): Promise<Strategy[]> {
  const { strategies } = await api.get<{ strategies: Strategy[] }>('/api/strategies');
  const rows = strategies.map((s) => {
    const out = h('span', { class: 'error' });
    const r = row(
      h('strong', {}, s.name),
      s.type,
      s.mode,
      s.rolloutStage ?? '–',
      s.workflow,
      s.paused === null ? '–' : s.paused ? 'paused' : 'running',
      h('span', {}, control(s, 'pause', out), control(s, 'resume', out), out),
      h('details', {}, h('summary', {}, 'parameters'), parametersForm(s)),
    );
    r.dataset.strategy = s.name;
    return r;
  });
  const body = section('strategies');
  for (const r of rows)
    carryOver(body.querySelector(`tr[data-strategy="${CSS.escape(r.dataset.strategy!)}"]`), r);
  body.replaceChildren(
    table(['name', 'type', 'mode', 'rollout', 'workflow', 'state', '', ''], rows, 'No strategy configured.'),
  );
  renderPaperForm(strategies);
  return strategies;
}

/**
 * What the operator is doing in a strategy's row survives the refresh that re-draws it (live updates come
 * every few seconds): its parameters left open, what was typed and not saved yet, the messages shown.
 */
function carryOver(from: Element | null, to: HTMLElement): void {
  if (!from) return;
  const open = from.querySelector('details')?.open ?? false;
  const details = to.querySelector('details');
  if (details) details.open = open;
  for (const input of from.querySelectorAll<HTMLInputElement>('input[name]')) {
    const now = to.querySelector<HTMLInputElement>(`input[name="${CSS.escape(input.name)}"]`);
    if (now && input.value !== input.defaultValue) now.value = input.value;
  }
  for (const message of from.querySelectorAll<HTMLElement>('[data-error-for]')) {
    const key = message.dataset.errorFor!;
    const now = to.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(key)}"]`);
    if (now) now.textContent = message.textContent;
  }
  const out = from.querySelector<HTMLElement>('span.error');
  const outNow = to.querySelector<HTMLElement>('span.error');
  if (out && outNow) outNow.textContent = out.textContent;
}

function renderPaperForm(strategies: Strategy[]): void {
  const body = section('paper');
  if (body.querySelector('form')) return; // keep what the operator typed
  const strategy = h(
    'select',
    { name: 'strategy' },
    ...strategies.map((s) => h('option', { value: s.name }, s.name)),
  );
  const input = (name: string, placeholder: string) => h('input', { name, placeholder, autocomplete: 'off' });
  const bankroll = input('bankroll', '1000');
  const duration = input('duration', '2h');
  const bets = input('bets', 'optional: stop after N bets');
  const labelled = (label: string, el: HTMLElement, name: string) =>
    h('label', { class: 'field' }, label, el, h('div', { class: 'error', 'data-error-for': name }));
  const form = h(
    'form',
    { class: 'paper' },
    labelled('Strategy', strategy, 'strategy'),
    labelled('Bankroll', bankroll, 'bankroll'),
    labelled('Duration', duration, 'duration'),
    labelled('Bets', bets, 'bets'),
    h('button', { type: 'submit' }, 'Start paper session'),
    h('div', { class: 'error', 'data-error-for': 'general' }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const n = bets.value.trim();
    api
      .post<{ sessionId?: string; id?: string }>('/api/paper', {
        strategy: strategy.value,
        bankroll: bankroll.value.trim(),
        duration: duration.value.trim(),
        ...(n ? { bets: Number.isInteger(Number(n)) ? Number(n) : n } : {}),
      })
      .then((r) =>
        showFieldError(
          form,
          new ApiRequestError(200, null, `started ${r.sessionId ?? r.id ?? JSON.stringify(r)}`),
        ),
      )
      .catch((err: unknown) => showFieldError(form, err));
  });
  body.replaceChildren(form);
}

export function onStrategiesChanged(fn: () => void): void {
  onChange = fn;
}
