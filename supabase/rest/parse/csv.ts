// In charge of reading a `text/csv` body the way PostgREST does (cassava's decodeByName): a header line, RFC 4180 quoting, blank lines skipped, and the unquoted or quoted text `NULL` meaning null.

export type CsvRow = Readonly<Record<string, string | null>>;

export type CsvResult = { ok: true; header: readonly string[]; rows: readonly CsvRow[]; keys: readonly (readonly string[])[] } | { ok: false; message: string };

class CsvError extends Error {}

/** Splits the text into records of fields; a blank line reads as one empty field. */
function readRecords(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  const n = text.length;
  const atLineEnd = (): boolean => i >= n || text[i] === '\n' || text[i] === '\r';
  const skipLineEnd = (): void => {
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else i += 1;
  };
  for (;;) {
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvError('parse error (not enough input)');
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          value += c;
          i++;
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '"' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (!atLineEnd()) throw new CsvError(`parse error (endOfInput) at ${JSON.stringify(text.slice(i, i + 20))}`);
      break;
    }
    records.push(fields);
    if (i >= n) return records;
    skipLineEnd();
    if (i >= n) return records;
  }
}

/** Parses the body into rows keyed by the header's names. */
export function parseCsv(text: string): CsvResult {
  let records: string[][];
  try {
    if (text === '') return { ok: false, message: 'parse error (not enough input)' };
    records = readRecords(text);
  } catch (e) {
    if (e instanceof CsvError) return { ok: false, message: e.message };
    throw e;
  }
  const [header = [], ...body] = records;
  // The header line must end with a line break.
  if (records.length === 1 && !/[\r\n]$/.test(text)) return { ok: false, message: 'parse error (endOfLine)' };
  const rows: CsvRow[] = [];
  const keys: string[][] = [];
  for (const fields of body) {
    if (fields.length === 1 && fields[0] === '') continue;
    const entries = fields.slice(0, header.length).map((value, index) => [header[index] ?? '', value === 'NULL' ? null : value] as const);
    rows.push(Object.fromEntries(entries));
    keys.push([...new Set(entries.map(([name]) => name))]);
  }
  return { ok: true, header, rows, keys };
}
