/** A tiny element builder: h('td', { class: 'num' }, '2.10'). Text children are set as text, never as HTML. */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** The page's sections in order, by id with their headings; each module fills its section's body. */
const SECTIONS = {
  slips: 'Awaiting confirmation',
  opportunities: 'Live opportunities',
  'open-bets': 'Open bets',
  settled: 'Settled bets',
  strategies: 'Strategies',
  paper: 'Start a paper session',
  charts: 'Charts',
  alerts: 'Alerts',
} as const;
export type SectionId = keyof typeof SECTIONS;

/** Build every section, a heading and an empty body, into `main`. */
export function mountSections(main: HTMLElement): void {
  main.replaceChildren(
    ...Object.entries(SECTIONS).map(([id, title]) =>
      h('section', { id }, h('h2', {}, title), h('div', { class: 'body' })),
    ),
  );
}

/** The body of a section (mountSections built it). */
export function section(id: SectionId): HTMLElement {
  const el = document.querySelector<HTMLElement>(`#${id} .body`);
  if (!el) throw new Error(`no section #${id}: mountSections first`);
  return el;
}

/** A table with a header row; `empty` is shown when there are no rows. */
export function table(head: string[], rows: HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows),
  );
}

export function row(...cells: Child[]): HTMLTableRowElement {
  return h('tr', {}, ...cells.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', {}, c))));
}

/** "12s", "4m 05s", "2h 03m": how long ago or how long left. */
export function seconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m ${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h ${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}
