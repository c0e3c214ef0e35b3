// The bankroll chart of backtest and paper-trading reports: one self-contained SVG.

const W = 720;
const H = 300;
const PAD = { left: 64, right: 16, top: 16, bottom: 36 };

/**
 * The bankroll after each settled bet as an SVG line chart (display only: coordinates are floats; the
 * figures in the report are the exact ones). Long curves are thinned to each bucket's low and high, so
 * every drawdown stays visible.
 */
export function bankrollSvg(curve: readonly (readonly [number, string, string])[]): string {
  const points = thin(
    curve.map(([n, , b]) => [n, Number(b)] as [number, number]),
    1200,
  );
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`;
  if (points.length < 2) {
    return `${head}<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no settled bets: no bankroll curve</text></svg>\n`;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y0 === y1) {
    y0 -= 1;
    y1 += 1;
  }
  const px = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const py = (y: number): number => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const start = ys[0]!;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`)
    .join('');
  const ticks = [y0, start, y1].filter((v, i, a) => a.indexOf(v) === i);
  return [
    head,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#ccc"/>`,
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(start).toFixed(1)}" y2="${py(start).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>`,
    ...ticks.map(
      (v) =>
        `<text x="${PAD.left - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${escapeXml(fmt(v))}</text>`,
    ),
    `<text x="${PAD.left}" y="${H - 12}">bet ${x0}</text>`,
    `<text x="${W - PAD.right}" y="${H - 12}" text-anchor="end">bet ${x1}</text>`,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 12}" text-anchor="middle">bankroll after each settled bet</text>`,
    `<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>`,
    '</svg>',
    '',
  ].join('\n');
}

function thin(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points;
  const bucket = Math.ceil(points.length / (max / 2));
  const out: [number, number][] = [points[0]!];
  for (let i = 1; i < points.length; i += bucket) {
    const slice = points.slice(i, i + bucket);
    let lo = slice[0]!;
    let hi = slice[0]!;
    for (const p of slice) {
      if (p[1] < lo[1]) lo = p;
      if (p[1] > hi[1]) hi = p;
    }
    if (lo === hi) out.push(lo);
    else out.push(...(lo[0] < hi[0] ? [lo, hi] : [hi, lo]));
  }
  const last = points[points.length - 1]!;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(2);
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
