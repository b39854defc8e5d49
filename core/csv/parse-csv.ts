/**
 * A streaming CSV reader (RFC 4180) for files an operator hands the hub — `loyalty-hub import
 * members.csv` (docs/operating.md, "Moving members in"): quoted fields with embedded commas,
 * quotes (`""`) and line breaks; CRLF, LF or CR line ends; a UTF-8 byte-order mark. Each record
 * comes with the line of the file it starts on, so a refused row is named by the line an
 * operator sees in an editor. Malformed quoting is refused with its line rather than guessed at.
 *
 * Our own rather than a dependency: the project adds none it can avoid (docs/architecture.md),
 * and this is the whole of RFC 4180.
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The records of a CSV text arriving in chunks (a file read stream with an encoding). Blank
 * lines are skipped (a trailing newline, or an empty line between rows, is not a record).
 */
export async function* csvRecords(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  /** Inside a quoted field. */
  let quoted = false;
  /** The field began with a quote (so a quote inside it must be doubled or close it). */
  let wasQuoted = false;
  /** After a closing quote, only a comma or a line end may follow. */
  let closed = false;
  let pendingQuote = false;
  let line = 1;
  let recordLine = 1;
  let afterCr = false;
  let first = true;
  let started = false;

  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
    closed = false;
  };

  for await (const raw of chunks) {
    let text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let i = 0;
    const n = text.length;
    let out: CsvRecord[] | undefined;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (afterCr) {
        afterCr = false;
        if (c === LF) {
          // The LF of a CRLF (perhaps in the next chunk): one line end, not two.
          if (quoted) field += '\n';
          i++;
          continue;
        }
      }
      if (pendingQuote) {
        // A quote inside a quoted field: doubled is a quote, else it closed the field.
        pendingQuote = false;
        if (c === QUOTE) {
          field += '"';
          i++;
          continue;
        }
        quoted = false;
        closed = true;
      }
      if (quoted) {
        // Copy the run up to the next quote or line break in one slice.
        let j = i;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === QUOTE || d === LF || d === CR) break;
          j++;
        }
        if (j > i) field += text.slice(i, j);
        if (j >= n) break;
        const d = text.charCodeAt(j);
        if (d === QUOTE) pendingQuote = true;
        else {
          // A line break inside quotes is part of the field (CRLF kept as written).
          field += text[j];
          line++;
          if (d === CR) afterCr = true;
        }
        i = j + 1;
        continue;
      }
      if (c === COMMA) {
        started = true;
        endField();
        i++;
        continue;
      }
      if (c === LF || c === CR) {
        if (started || field !== '' || fields.length > 0 || closed) {
          endField();
          (out ??= []).push({ fields, line: recordLine });
          fields = [];
        }
        started = false;
        line++;
        recordLine = line;
        if (c === CR) afterCr = true;
        i++;
        continue;
      }
      if (closed) throw new CsvSyntaxError(line, 'a quoted field must end at a comma or the end of the line');
      if (c === QUOTE) {
        if (field !== '' || wasQuoted) throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
        quoted = true;
        wasQuoted = true;
        started = true;
        i++;
        continue;
      }
      // An unquoted run up to the next delimiter.
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
        j++;
      }
      field += text.slice(i, j);
      started = true;
      i = j;
    }
    if (out) yield* out;
  }
  if (pendingQuote) {
    // The file ended right after a closing quote.
    quoted = false;
    closed = true;
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed before the end of the file');
  if (started || field !== '' || fields.length > 0 || closed) {
    endField();
    yield { fields, line: recordLine };
  }
}
