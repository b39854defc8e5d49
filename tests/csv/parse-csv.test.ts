/**
 * The CSV reader behind `loyalty-hub import members.csv` (docs/operating.md, "Moving members in"):
 * RFC 4180 quoting, embedded commas, quotes and line breaks, CRLF, a byte-order mark, the line
 * each record starts on — whatever the chunk boundaries of the file read — and malformed quoting
 * refused with its line. Its writer's output reads back unchanged.
 */
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../core/csv/csv-field.js';
import { csvRecords, CsvSyntaxError, type CsvRecord } from '../../core/csv/parse-csv.js';

async function parse(text: string, chunkSize = text.length || 1): Promise<CsvRecord[]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
  const out: CsvRecord[] = [];
  for await (const r of csvRecords((async function* () { yield* chunks; })())) out.push(r);
  return out;
}

const SAMPLE = '\uFEFFid,name,note\r\n1,"Lee, Ann","said ""hi"""\r\n2,Bob,"two\r\nlines"\r\n\r\n3,,\r\n4,"",last';

describe('csvRecords', () => {
  it('reads quoted fields, embedded commas, quotes and line breaks, CRLF and a BOM, with the line each record starts on', async () => {
    expect(await parse(SAMPLE)).toEqual([
      { fields: ['id', 'name', 'note'], line: 1 },
      { fields: ['1', 'Lee, Ann', 'said "hi"'], line: 2 },
      { fields: ['2', 'Bob', 'two\r\nlines'], line: 3 },
      { fields: ['3', '', ''], line: 6 },
      { fields: ['4', '', 'last'], line: 7 },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const whole = await parse(SAMPLE);
    for (let size = 1; size <= 12; size++) expect(await parse(SAMPLE, size), `chunks of ${size}`).toEqual(whole);
  });

  it('reads LF-only and CR-only line ends', async () => {
    expect(await parse('a,b\n1,2\n')).toEqual([{ fields: ['a', 'b'], line: 1 }, { fields: ['1', '2'], line: 2 }]);
    expect(await parse('a,b\r1,2')).toEqual([{ fields: ['a', 'b'], line: 1 }, { fields: ['1', '2'], line: 2 }]);
  });

  it('refuses malformed quoting with its line', async () => {
    await expect(parse('a,b\n1,x"y\n')).rejects.toThrow(new CsvSyntaxError(2, 'a quote inside an unquoted field (quote the whole field and double the quote)'));
    await expect(parse('a,b\n1,"x"y\n')).rejects.toThrow(new CsvSyntaxError(2, 'a quoted field must end at a comma or the end of the line'));
    await expect(parse('a,b\n1,2\n3,"open\nstill open')).rejects.toThrow(new CsvSyntaxError(3, 'a quoted field is not closed before the end of the file'));
  });

  it('reads back what csvLine writes', async () => {
    const values = ['plain', 'with, comma', 'with "quotes"', 'two\nlines', '', '=1+2'];
    expect((await parse(csvLine(values) + csvLine(['x'])))[0]!.fields).toEqual(values);
  });
});
