/**
 * A small RFC 4180 CSV reader for bulk registry import: a header row of field names,
 * then one record per line; quoted fields may hold commas, quotes ("") and newlines.
 * Errors name the line.
 */
export interface CsvRecord {
  /** 1-based line number where the record starts (for messages). */
  line: number;
  fields: Record<string, string>;
}

export class CsvError extends Error {}

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
      if (cell.length > 0) throw new CsvError(`line ${line}: a quote inside an unquoted field`);
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
  if (quoted) throw new CsvError(`line ${rowLine}: a quoted field is not closed`);
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
  const [head, ...body] = rows;
  if (!head) throw new CsvError('the file is empty: expected a header row of field names');
  const header = head.cells.map((name) => name.trim());
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate) throw new CsvError(`line ${head.line}: column "${duplicate}" appears twice`);
  const records = body.map(({ line: at, cells: values }) => {
    if (values.length !== header.length)
      throw new CsvError(`line ${at}: ${values.length} fields, but the header has ${header.length}`);
    const fields: Record<string, string> = {};
    header.forEach((name, index) => (fields[name] = values[index] as string));
    return { line: at, fields };
  });
  return { header, records };
}
