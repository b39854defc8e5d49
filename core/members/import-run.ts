/**
 * Running an import (docs/operating.md, "Moving members in"): pages of members from a source,
 * each page written in one transaction in set-based statements (./import-bulk.ts); a page with a
 * bad row is written again row by row so that only that row is refused, with its reason. After each page the source's cursor is
 * kept — in the page's own transaction when the state can join it, so a page and its cursor
 * commit together and a page costs one commit, not two — so an interrupted import resumes after
 * the last page written (and every row is idempotent besides: ./import-member.ts). `dryRun`
 * checks every row and writes nothing.
 */
import type { Commit } from '../commit/commit.js';
import type { WritableConnectorState } from '../connectors/connector-state.js';
import type { ConnectorState, MemberPage } from '../connectors/definition.js';
import { importMembers, PageNeedsRows, PageNotNew } from './import-bulk.js';
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
  state?: ConnectorState | WritableConnectorState;
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
  // Whether the last page written was all new members: then the next is written without
  // look-ups, the inserts checking it (./import-bulk.ts, `assumeNew`). Never for the first page,
  // so a second run or a resumed one starts looked up.
  let lastAllNew = false;
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
      const cursorAfter = o.state && { state: o.state, key: cursorKey, value: page.next ?? '' };
      const written = await writePage(commit, source, page.members, o.actor, position, summary, reject, { cursorAfter, assumeNew: lastAllNew });
      lastAllNew = written.allNew;
      if (cursorAfter && !written.cursorKept) await cursorAfter.state.set(cursorKey, cursorAfter.value);
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
  o: { cursorAfter?: { state: ConnectorState | WritableConnectorState; key: string; value: string } | undefined; assumeNew: boolean },
): Promise<{ cursorKept: boolean; allNew: boolean }> {
  const tally = (outcomes: { enrolled: boolean; posted: number }[]) => {
    for (const r of outcomes) {
      if (r.enrolled) summary.enrolled++;
      else summary.matched++;
      summary.lines += r.posted;
    }
  };
  if (!members.length) return { cursorKept: false, allNew: false };
  const { cursorAfter } = o;
  const within = cursorAfter && 'setWithin' in cursorAfter.state ? cursorAfter.state : undefined;
  // Without look-ups first when the last page was all new; a page that is not is written again, looked up.
  for (const assumeNew of o.assumeNew ? [true, false] : [false]) {
    try {
      const outcomes = await commit(actor, async (w) => {
        const written = await importMembers(w, source, members, { assumeNew });
        if (within) await within.setWithin(w, cursorAfter!.key, cursorAfter!.value);
        return written;
      });
      tally(outcomes);
      return { cursorKept: within !== undefined, allNew: outcomes.every((r) => r.enrolled) };
    } catch (error) {
      if (error instanceof PageNotNew) continue;
      if (!(error instanceof ImportRowError) && !(error instanceof PageNeedsRows)) throw error;
      break;
    }
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
  return { cursorKept: false, allNew: false };
}
