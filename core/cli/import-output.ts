/**
 * What `loyalty-hub import` shows while it runs and leaves behind (docs/operating.md, "Moving
 * members in"): a progress bar on a terminal, a plain line per thousand rows otherwise (a log
 * file, CI), and the rejects file — one CSV line per refused row, written only when one is.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { csvLine } from '../csv/csv-field.js';
import type { ImportRejection, ImportSummary } from '../members/import-run.js';

export function progressReporter(total: number | undefined, noun = 'members'): (s: ImportSummary) => void {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return (s) => {
    if (tty) {
      const share = total ? Math.min(1, s.read / total) : 0;
      const bar = total ? `[${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${Math.round(share * 100)}% ` : '';
      process.stderr.write(`\r${bar}${s.read}${total ? ` of ${total}` : ''} ${noun} read, ${s.rejected} refused`);
    } else if (s.read - lastLine >= 1000 || (total !== undefined && s.read >= total)) {
      lastLine = s.read;
      process.stderr.write(`${s.read}${total ? ` of ${total}` : ''} ${noun} read, ${s.rejected} refused\n`);
    }
  };
}

/** Ends the progress bar's line on a terminal. */
export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

/** The rejects file, opened at the first refusal; `where` names the position column (`position`, `line`). */
export function rejectsFile(path: string, where: string) {
  let out: WriteStream | undefined;
  return {
    add(r: ImportRejection) {
      if (!out) {
        out = createWriteStream(path);
        out.write(csvLine([where, 'id', 'field', 'reason']));
      }
      out.write(csvLine([r.position, r.sourceId, r.field, r.reason]));
    },
    close: () => new Promise<void>((resolve, reject) => (out ? out.end((error?: Error | null) => (error ? reject(error) : resolve())) : resolve())),
  };
}
