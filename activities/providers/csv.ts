import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows of strings (header included). */
export function parseCsv(text: string): string[][] {
  if (!text.includes('"')) {
    // No quoting anywhere: plain splits are exact and much faster.
    return text
      .split(/\r?\n/)
      .filter((line) => line !== '')
      .map((line) => line.split(','));
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A CSV file (gzip when it ends in .gz): the header's column names and the rows. */
export function readCsv(path: string): { header: string[]; rows: string[][] } {
  const buf = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  const [header = [], ...rows] = parseCsv(text);
  return { header: header.map((h) => h.trim()), rows };
}

/** A CSV file as objects keyed by the header row. */
export function readCsvObjects(path: string): Record<string, string>[] {
  const { header, rows } = readCsv(path);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
