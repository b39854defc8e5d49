/**
 * `loyalty-hub export members|ledger`: members with their balances, or every ledger line, as CSV
 * or NDJSON, for accountants and for leaving (docs/operating.md, "Moving members out"). Read a
 * page at a time (core/members/export-rows.ts) and written with backpressure — a page is not
 * read before the last one was taken by the file or pipe — so memory stays that of one page.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { csvLine } from '../csv/csv-field.js';
import { LEDGER_COLUMNS, ledgerPages, MEMBER_COLUMNS, memberPages } from '../members/export-rows.js';
import { DEFAULT_PROGRAM_PATH, loadProgramFile } from '../program/load-program.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export const exportCommand: Command = {
  summary: 'Write members with balances, or the ledger line by line, as CSV or NDJSON (streamed)',
  usage: [
    'Usage: loyalty-hub export members|ledger [--format csv|ndjson] [--out FILE]',
    '',
    '  members   one row per member: ' + MEMBER_COLUMNS.join(', '),
    '            (tier: the tier held; an erased member has no e-mail, phone, names, birth date,',
    '            aliases or consents — only its id, status, tier and balances)',
    '  ledger    one row per ledger line, oldest first: ' + LEDGER_COLUMNS.join(', '),
    '',
    '  --format csv|ndjson   CSV with a header row (default), or one JSON object per line',
    '  --out FILE            write to FILE instead of standard output',
    '',
    'Streamed a page of 1,000 at a time: any size of program, in constant memory. The members',
    'CSV reads back with `loyalty-hub import` (external_id keys the rows).',
  ].join('\n'),
  options: { format: { type: 'string' }, out: { type: 'string' } },
  maxPositionals: 1,
  async run(args) {
    const what = args.positionals[0];
    if (what !== 'members' && what !== 'ledger') {
      console.error('Name what to export: loyalty-hub export members|ledger [--format csv|ndjson] [--out FILE]');
      return 2;
    }
    const format = args.string('format') ?? 'csv';
    if (format !== 'csv' && format !== 'ndjson') {
      console.error(`--format must be csv or ndjson, not "${format}"`);
      return 2;
    }
    const outPath = args.string('out');
    const env = process.env;
    const program = what === 'members' ? loadProgramFile(env.LOYALTY_CONFIG || DEFAULT_PROGRAM_PATH) : undefined;
    const store = await openStore(env.DATABASE_URL || DEFAULT_DATABASE_URL);
    const out: Writable = outPath ? createWriteStream(outPath) : process.stdout;
    let rows = 0;
    try {
      const columns: readonly string[] = what === 'members' ? MEMBER_COLUMNS : LEDGER_COLUMNS;
      if (format === 'csv') await write(out, csvLine(columns));
      const pages = what === 'members' ? memberPages(store.db, program!) : ledgerPages(store.db);
      for await (const page of pages) {
        let text = '';
        for (const row of page as Record<string, string | number | boolean | null>[]) {
          text += format === 'csv' ? csvLine(columns.map((c) => row[c])) : JSON.stringify(row) + '\n';
        }
        rows += page.length;
        await write(out, text);
      }
    } finally {
      if (outPath) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      await store.close();
    }
    if (outPath) console.error(`${rows} ${what === 'members' ? 'members' : 'ledger lines'} written to ${outPath}`);
    return 0;
  },
};
