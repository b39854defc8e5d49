/**
 * `loyalty-hub import members.csv`: members moving in from a file (docs/operating.md, "Moving
 * members in") — the hub's own columns, or a Smile.io or LoyaltyLion customer export recognized
 * by its header row. The same import run as `--from` (core/members/import-run.ts): pages written
 * set-based, a refused row named by its line in the rejects file while the others go in, every
 * row idempotent, and a cursor kept per file so an interrupted run carries on.
 */
import { access, constants } from 'node:fs/promises';
import { createWriteBoundary } from '../commit/commit.js';
import { connectorState } from '../connectors/connector-state.js';
import { columnsHelp, CsvHeaderError } from '../members/csv-columns.js';
import { csvPages, fileFacts, readHeader } from '../members/csv-source.js';
import { runImport, type ImportSummary } from '../members/import-run.js';
import { CsvSyntaxError } from '../csv/parse-csv.js';
import { maskText } from '../observability/redact.js';
import { DEFAULT_PROGRAM_PATH, loadProgramFile } from '../program/load-program.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { ParsedArguments } from './arguments.js';
import { endProgress, progressReporter, rejectsFile } from './import-output.js';

export const CSV_USAGE = [
  'Usage: loyalty-hub import <members.csv> [--dry-run] [--rejects import-rejects.csv] [--restart] [--source csv]',
  '',
  'Reads a CSV file with a header row (RFC 4180: quoted fields may hold commas, quotes and line',
  'breaks; UTF-8, with or without a byte-order mark; LF or CRLF) and opens each row\'s member:',
  'found by <source>:<external id> or e-mail, else enrolled; opening points posted once.',
  '',
  '  --dry-run           check every row and write nothing; refused rows are still reported',
  '  --rejects <file>    refused rows as CSV: line,id,field,reason (default import-rejects.csv)',
  '  --restart           read from the first row, not from where the last run of this file stopped',
  '  --source <name>     the old program\'s name for the hub\'s own layout (default csv): members',
  '                      get the alias <name>:<external_id>, and their lines are keyed by it',
  '',
  ...columnsHelp(),
  '',
  'Running it again changes nothing for rows already in (lines are keyed by the external id, else',
  'by the e-mail); an interrupted run carries on after the last page of 1,000 rows it wrote.',
  'Exit code 0 when every row went in, 1 when a row was refused or the file cannot be read.',
].join('\n');

/** Keys of the connector-state row where CSV imports keep their progress, per file content. */
const STATE = 'import';
/** MiB of SQLite page cache for the writer while importing (memory, not durability). */
const IMPORT_CACHE_MIB = 256;

export async function importCsvFile(file: string, args: ParsedArguments): Promise<number> {
  const env = process.env;
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    console.error(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return 1;
  }
  const source = args.string('source');
  if (source !== undefined && !/^[a-z][a-z0-9_-]{1,31}$/.test(source)) {
    console.error(`--source must be a platform name like "oldprogram" (lower-case letters, digits, - and _), not "${source}"`);
    return 2;
  }
  let mapping;
  try {
    mapping = await readHeader(file, source ? { source } : {});
  } catch (error) {
    if (error instanceof CsvHeaderError || error instanceof CsvSyntaxError) {
      console.error(`${file}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const program = loadProgramFile(env.LOYALTY_CONFIG || DEFAULT_PROGRAM_PATH);
  const facts = await fileFacts(file);
  const dryRun = args.flag('dry-run');
  // A 256 MiB page cache on SQLite while importing: the members' indexes outgrow the default
  // 2 MiB within the first hundred thousand rows (core/storage/open-sqlite.ts, `writerCacheMiB`).
  const store = await openStore(env.DATABASE_URL || DEFAULT_DATABASE_URL, { writerCacheMiB: IMPORT_CACHE_MIB, bulk: true });
  const rejectsPath = args.string('rejects') ?? 'import-rejects.csv';
  const rejects = rejectsFile(rejectsPath, 'line');
  try {
    // The program's time zone: the analytics count the opening lines on its local day (docs/architecture.md, "Analytics aggregates").
    const { commit } = createWriteBoundary(store, Date.now, { timeZone: program.timeZone });
    const state = connectorState(store, commit, STATE);
    // Pending points without a date (LoyaltyLion's points_pending) are dated from this file's
    // first run, kept, so a second run dates them the same and replays them.
    const anchorKey = `csv:${facts.key}:pending-from`;
    let pendingFrom = Number(await state.get(anchorKey));
    if (!Number.isSafeInteger(pendingFrom) || pendingFrom <= 0) {
      pendingFrom = Date.now();
      if (!dryRun && mapping.layout.pendingDays !== undefined) await state.set(anchorKey, String(pendingFrom));
    }
    console.log(
      `${file}: ${mapping.layout.name === 'loyalty-hub' ? "the hub's own columns" : `a ${mapping.layout.name === 'smile' ? 'Smile.io' : 'LoyaltyLion'} customer export`}, members keyed ${mapping.source}:<id>` +
        (mapping.ignored.length ? `; columns skipped: ${mapping.ignored.join(', ')}` : ''),
    );
    let summary: ImportSummary;
    try {
      summary = await runImport(commit, mapping.source, csvPages(file, mapping, { tiers: program.tiers, pendingFrom }), {
        actor: `import:${mapping.source}`,
        dryRun,
        state,
        cursorKey: `csv:${facts.key}:cursor`,
        restart: args.flag('restart'),
        onProgress: progressReporter(facts.rows, 'rows'),
        onReject: rejects.add,
      });
    } catch (error) {
      endProgress();
      if (error instanceof CsvSyntaxError) {
        console.error(`${file}: ${error.message}. The rows before it that were written stay; fix the file and run again.`);
        return 1;
      }
      throw error;
    }
    endProgress();
    console.log(
      dryRun
        ? `dry run: ${summary.read} rows read, ${summary.read - summary.rejected} would go in, ${summary.rejected} refused; nothing written`
        : `${summary.read} rows read: ${summary.enrolled} members enrolled, ${summary.matched} already in the hub, ${summary.lines} points lines written, ${summary.rejected} refused`,
    );
    if (summary.rejected) console.log(`refused rows, by line, and why: ${rejectsPath}`);
    return summary.rejected ? 1 : 0;
  } catch (error) {
    endProgress();
    console.error(`import of ${file} stopped: ${maskText((error as Error).message)}\nRun the same command again to carry on after the last page written.`);
    return 1;
  } finally {
    await rejects.close();
    await store.close();
  }
}
