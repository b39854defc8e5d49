/**
 * A members CSV file as pages for the import run (./import-run.ts; docs/operating.md, "Moving
 * members in"): the header row picks the layout (./csv-columns.ts), each data row becomes a member
 * or a refusal naming its line, and a page's `next` is how many data rows are behind it, so an
 * interrupted import carries on after the last page written. The cursor is kept per file
 * content (`fileFacts().key`): a different file starts from its first row.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { MemberPage } from '../connectors/definition.js';
import { csvRecords } from '../csv/parse-csv.js';
import { CsvHeaderError, mapHeader, rowToMember, type CsvMapping, type RowContext } from './csv-columns.js';
import { ImportRowError, type ImportedMember } from './import-member.js';
import type { ImportRejection } from './import-run.js';

/**
 * Rows per page (one transaction each). 1,000 rather than 5,000: measured cheaper per row — less
 * CPU for the whole import, about 7 % at 300,000 rows and 5 % at a million (docs/BENCHMARKS.md
 * (k)); likely because a smaller page's objects die young rather than reach the old generation.
 * A killed import loses only the page in flight.
 */
export const CSV_PAGE_SIZE = 1000;

/** The file's content hash (what its resume cursor is kept under) and about how many rows it has. */
export async function fileFacts(path: string): Promise<{ key: string; rows: number }> {
  const hash = createHash('sha256');
  let newlines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  // Lines minus the header; a line break inside a quoted field makes this an estimate, for the bar.
  return { key: hash.digest('base64url').slice(0, 22), rows: Math.max(0, newlines + (last === 10 ? 0 : 1) - 1) };
}

function records(path: string) {
  return csvRecords(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }));
}

/** The header row's layout; refuses an empty file or a header set it does not know. */
export async function readHeader(path: string, options: { source?: string } = {}): Promise<CsvMapping> {
  for await (const header of records(path)) return mapHeader(header.fields, options);
  throw new CsvHeaderError('the file is empty: it needs a header row naming its columns');
}

export function csvPages(path: string, mapping: CsvMapping, ctx: RowContext, pageSize = CSV_PAGE_SIZE) {
  return async function* pages(cursor?: string): AsyncIterable<MemberPage> {
    const skip = cursor ? Number(cursor) : 0;
    let seen = 0;
    let headerWidth = -1;
    let members: ImportedMember[] = [];
    let positions: number[] = [];
    let refused: ImportRejection[] = [];
    for await (const { fields, line } of records(path)) {
      if (headerWidth < 0) {
        headerWidth = fields.length;
        continue;
      }
      if (seen++ < skip) continue;
      if (fields.length !== headerWidth) {
        refused.push({ position: line, sourceId: '', field: 'row', reason: `the row has ${fields.length} fields where the header has ${headerWidth}` });
      } else {
        try {
          members.push(rowToMember(mapping, fields, ctx));
          positions.push(line);
        } catch (error) {
          if (!(error instanceof ImportRowError)) throw error;
          const id = mapping.index.externalId === undefined ? '' : (fields[mapping.index.externalId] ?? '').trim();
          refused.push({ position: line, sourceId: id, field: error.field, reason: error.message });
        }
      }
      if (members.length + refused.length >= pageSize) {
        yield { members, positions, refused, next: String(seen) };
        members = [];
        positions = [];
        refused = [];
      }
    }
    // The last page has no `next`, which clears the kept cursor: the import is complete, and
    // running it again reads the file from the top (and changes nothing).
    yield { members, positions, refused };
  };
}
