/**
 * Running an import (docs/operating.md, "Moving members in"): pages of members from a source,
 * each page written in one transaction in set-based statements (./import-bulk.ts); a page with a
 * bad row is written again row by row so that only that row is refused, with its reason. After each page the source's cursor is
 * kept, so an interrupted import resumes after the last page written (and every row is
 * idempotent besides: ./import-member.ts). `dryRun` checks every row and writes nothing.
 */
import type { Commit } from '../commit/commit.js';
import type { ConnectorState, MemberPage } from '../connectors/definition.js';
import { importMembers, PageNeedsRows } from './import-bulk.js';
import { checkImportedMember, ImportRowError, importMember, type ImportedMember } from './import-member.js';

export interface ImportRejection {
  /** Where the row came from: its position in the source (1-based) and its id there. */
  position: number;
  sourceId: string;
  field: string;
  reason: string;
}

export interface ImportSummary {
  read: number;
  enrolled: number;
  /** Found in the hub already (by the source's alias or by e-mail). */
  matched: number;
  /** Ledger lines written by this run. */
  lines: number;
  rejected: number;
}

export interface ImportOptions {
  actor: string;
  dryRun?: boolean;
  /** Where the cursor is kept between runs (the connector's state); none: no resuming. */
  state?: ConnectorState;
  /** Ignore a kept cursor and read from the start (the rows already in are unchanged by it). */
  restart?: boolean;
  /** Under which key of `state` the cursor is kept (one per CSV file); default IMPORT_CURSOR_KEY. */
  cursorKey?: string;
  onProgress?(summary: ImportSummary): void;
  onReject?(rejection: ImportRejection): void;
}

export const IMPORT_CURSOR_KEY = 'core:import:cursor';

export async function runImport(commit: Commit, source: string, read: (cursor?: string, options?: { dryRun?: boolean }) => AsyncIterable<MemberPage>, o: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { read: 0, enrolled: 0, matched: 0, lines: 0, rejected: 0 };
  const cursorKey = o.cursorKey ?? IMPORT_CURSOR_KEY;
  const cursor = o.restart || o.dryRun ? undefined : await o.state?.get(cursorKey);
  const reject = (position: number, record: ImportedMember, error: ImportRowError) => {
    summary.rejected++;
    o.onReject?.({ position, sourceId: String(record.sourceId ?? ''), field: error.field, reason: error.message });
  };
  for await (const page of read(cursor || undefined, { dryRun: o.dryRun === true })) {
    const first = summary.read + 1;
    // Where each row is in the source, for the rejects file: a CSV file's line numbers, else its place.
    const position = (i: number) => page.positions?.[i] ?? first + i;
    summary.read += page.members.length + (page.refused?.length ?? 0);
    for (const r of page.refused ?? []) {
      summary.rejected++;
      o.onReject?.(r);
    }
    if (o.dryRun) {
      for (const [i, record] of page.members.entries()) {
        try {
          checkImportedMember(record);
        } catch (error) {
          if (!(error instanceof ImportRowError)) throw error;
          reject(position(i), record, error);
        }
      }
    } else {
      await writePage(commit, source, page.members, o.actor, position, summary, reject);
      if (o.state) await o.state.set(cursorKey, page.next ?? '');
    }
    o.onProgress?.(summary);
  }
  return summary;
}

async function writePage(
  commit: Commit,
  source: string,
  members: ImportedMember[],
  actor: string,
  position: (i: number) => number,
  summary: ImportSummary,
  reject: (position: number, record: ImportedMember, error: ImportRowError) => void,
): Promise<void> {
  const tally = (outcomes: { enrolled: boolean; posted: number }[]) => {
    for (const r of outcomes) {
      if (r.enrolled) summary.enrolled++;
      else summary.matched++;
      summary.lines += r.posted;
    }
  };
  if (!members.length) return;
  try {
    tally(await commit(actor, (w) => importMembers(w, source, members)));
    return;
  } catch (error) {
    if (!(error instanceof ImportRowError) && !(error instanceof PageNeedsRows)) throw error;
  }
  // A row of this page is refused: each row on its own, so the others go in.
  for (const [i, record] of members.entries()) {
    try {
      tally([await commit(actor, (w) => importMember(w, source, record))]);
    } catch (error) {
      if (!(error instanceof ImportRowError)) throw error;
      reject(position(i), record, error);
    }
  }
}
