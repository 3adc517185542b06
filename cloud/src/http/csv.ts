/**
 * A small RFC 4180 CSV reader for bulk registry import: a header row of field names,
 * then one record per line; quoted fields may hold commas, quotes ("") and newlines.
 * Errors name the line, as catalogue messages (messages/catalog.ts) for either language.
 */
import type { Message } from '@gridsafe/shared';
import { formatMessage } from '../messages/catalog.js';

export interface CsvRecord {
  /** 1-based line number where the record starts (for messages). */
  line: number;
  fields: Record<string, string>;
}

export class CsvError extends Error {
  constructor(readonly text: Message) {
    super(formatMessage(text, 'en'));
    this.name = 'CsvError';
  }
}

export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM from spreadsheet exports
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"') {
      if (cell.length > 0) throw new CsvError({ code: 'csv.quote_in_field', params: { line } });
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (quoted) throw new CsvError({ code: 'csv.unclosed_quote', params: { line: rowLine } });
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
  const [head, ...body] = rows;
  if (!head) throw new CsvError({ code: 'csv.empty' });
  const header = head.cells.map((name) => name.trim());
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate) throw new CsvError({ code: 'csv.duplicate_column', params: { line: head.line, column: duplicate } });
  const records = body.map(({ line: at, cells: values }) => {
    if (values.length !== header.length)
      throw new CsvError({
        code: 'csv.field_count',
        params: { line: at, count: values.length, expected: header.length },
      });
    const fields: Record<string, string> = {};
    header.forEach((name, index) => (fields[name] = values[index] as string));
    return { line: at, fields };
  });
  return { header, records };
}
