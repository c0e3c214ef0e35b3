/**
 * The one CSV tokenizer, for every CSV we read (football-data.co.uk, The Odds API line changes and their
 * events and snapshots files, results files): comma-separated, a header row, optional byte-order mark, LF
 * or CRLF. Quoted fields ("a, b", "say ""hi""") are handled; `parseCsv` also joins a quoted field that
 * spans lines. Pure: the caller reads (and gunzips) the file.
 *
 * Speed: a line without a quote is split with String.split (the common case in every file we read); only
 * lines with a quote take the character-by-character path.
 */

/** The lines of a text as written, LF-split, byte-order mark dropped; CRs are kept. */
function rawLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split('\n');
}

/** The lines of a file: byte-order mark dropped, LF or CRLF endings. A final empty line is not a line. */
export function csvLines(text: string): string[] {
  const lines = rawLines(text);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The fields of one record. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** Whether a record's text leaves a quoted field open (an odd number of quotes: "" is an escaped one). */
function quoteOpen(text: string): boolean {
  let open = false;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) open = !open;
  return open;
}

/**
 * RFC 4180 records (header included): quoted fields may hold commas, doubled quotes and line breaks.
 * Empty lines are not records.
 */
export function parseCsv(text: string): string[][] {
  const lines = rawLines(text);
  const rows: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    let record = lines[i]!;
    // A line break inside a quoted field belongs to the field: join the following lines into the record.
    if (record.includes('"')) while (quoteOpen(record) && i + 1 < lines.length) record += `\n${lines[++i]!}`;
    if (record.endsWith('\r')) record = record.slice(0, -1);
    if (record === '') continue;
    const fields = splitCsvLine(record);
    if (fields.length > 1 || fields[0] !== '') rows.push(fields);
  }
  return rows;
}

/** The header's column names (trimmed) and the records after it. */
export function csvTable(text: string): { header: string[]; rows: string[][] } {
  const [header = [], ...rows] = parseCsv(text);
  return { header: header.map((h) => h.trim()), rows };
}

/** The records as objects keyed by the header row (a missing cell is ''). */
export function csvObjects(text: string): Record<string, string>[] {
  const { header, rows } = csvTable(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** A record with nothing in it (",,,,"): football-data files end with a few. */
export function isBlankRecord(fields: readonly string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}
