/**
 * `loyalty-hub import --from <platform>`: members moving in from another program, with their
 * points (docs/operating.md, "Moving members in"). The platform's connector reads them
 * (`createImporter`); core/members/import-run.ts writes them, idempotently and resumably.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createWriteBoundary } from '../commit/commit.js';
import { connectorState } from '../connectors/connector-state.js';
import { connectorStatus } from '../connectors/definition.js';
import { discoverConnectors } from '../connectors/discover.js';
import { runImport, type ImportRejection, type ImportSummary } from '../members/import-run.js';
import { createLogger } from '../observability/logger.js';
import { maskText } from '../observability/redact.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const csvField = (value: string | number): string => (/[",\n\r]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));

/** A bar on a terminal, a line per thousand members otherwise (a log file or CI). */
function progressReporter(total: number | undefined): (s: ImportSummary) => void {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return (s) => {
    if (tty) {
      const share = total ? Math.min(1, s.read / total) : 0;
      const bar = total ? `[${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${Math.round(share * 100)}% ` : '';
      process.stderr.write(`\r${bar}${s.read}${total ? ` of ${total}` : ''} members read, ${s.rejected} refused`);
    } else if (s.read - lastLine >= 1000 || (total !== undefined && s.read >= total)) {
      lastLine = s.read;
      process.stderr.write(`${s.read}${total ? ` of ${total}` : ''} members read, ${s.rejected} refused\n`);
    }
  };
}

export const importCommand: Command = {
  summary: 'Move members and their points in from another program (--from loyaltylion); idempotent and resumable',
  usage: [
    'Usage: loyalty-hub import --from <platform> [--dry-run] [--rejects import-rejects.csv] [--restart]',
    '',
    'Reads every member of the platform with its points through the platform\'s API (its',
    'connector must be configured: see `loyalty-hub connectors check`) and opens each in the hub:',
    'found by the platform\'s id (alias <platform>:<id>) or e-mail, else enrolled; opening points',
    'posted once (available, pending with the date they become spendable, and spent). An import',
    'announces nothing: no e-mails or messages go out for it.',
    '',
    '  --from <platform>   the connector to read from (platforms that can: see docs/operating.md)',
    '  --dry-run           check every member and write nothing; refused ones are still reported',
    '  --rejects <file>    where refused members go, as CSV: position,id,field,reason',
    '                      (default import-rejects.csv; written only when one is refused)',
    '  --restart           read from the first page, not from where the last run stopped',
    '',
    'Running it again changes nothing for members already in; an interrupted run carries on',
    'after the last page it wrote. Exit code 0 when every member went in, 1 when any was refused.',
  ].join('\n'),
  async run(args) {
    const env = process.env;
    const from = option(args, '--from');
    const definitions = await discoverConnectors();
    const importers = definitions.filter((d) => d.createImporter).map((d) => d.name);
    if (!from) {
      console.error(`Name the platform to import from: --from ${importers.join(' | ') || '(no connector can import)'}`);
      return 2;
    }
    const def = definitions.find((d) => d.name === from);
    if (!def?.createImporter) {
      console.error(`${from}: no connector imports members. Platforms that can: ${importers.join(', ') || 'none'}.`);
      return 2;
    }
    const status = connectorStatus(def, env);
    if (!status.enabled) {
      console.error(`${from}: the connector is not configured; set ${status.missing.join(', ')} (docs/connectors/${from}.md)`);
      return 2;
    }
    const store = await openStore(env.DATABASE_URL || DEFAULT_DATABASE_URL);
    let rejects: WriteStream | undefined;
    const rejectsPath = option(args, '--rejects') ?? 'import-rejects.csv';
    try {
      const { commit } = createWriteBoundary(store);
      const state = connectorState(store, commit, def.name);
      const source = def.createImporter(env, { logger: createLogger({ level: 'warn' }), publicUrl: env.PUBLIC_URL || undefined, state });
      const total = await source.count?.();
      const dryRun = args.includes('--dry-run');
      const onReject = (r: ImportRejection) => {
        if (!rejects) {
          rejects = createWriteStream(rejectsPath);
          rejects.write('position,id,field,reason\n');
        }
        rejects.write([r.position, r.sourceId, r.field, r.reason].map(csvField).join(',') + '\n');
      };
      let summary: ImportSummary;
      try {
        summary = await runImport(commit, def.name, (cursor, options) => source.pages(cursor, options), {
          actor: `import:${def.name}`,
          dryRun,
          state,
          restart: args.includes('--restart'),
          onProgress: progressReporter(total),
          onReject,
        });
      } catch (error) {
        // The platform stopped answering (or refused the key): what was written stays, and the
        // next run carries on after the last page written.
        if (process.stderr.isTTY) process.stderr.write('\n');
        console.error(`import from ${from} stopped: ${maskText((error as Error).message)}\nRun the same command again to carry on after the last page written.`);
        return 1;
      }
      if (process.stderr.isTTY) process.stderr.write('\n');
      const verb = dryRun ? 'would open' : 'opened';
      console.log(
        dryRun
          ? `dry run: ${summary.read} members read, ${summary.read - summary.rejected} ${verb}, ${summary.rejected} refused; nothing written`
          : `${summary.read} members read: ${summary.enrolled} enrolled, ${summary.matched} already in the hub, ${summary.lines} points lines written, ${summary.rejected} refused`,
      );
      if (summary.rejected) console.log(`refused members and why: ${rejectsPath}`);
      return summary.rejected ? 1 : 0;
    } finally {
      await new Promise<void>((resolve) => (rejects ? rejects.end(resolve) : resolve()));
      await store.close();
    }
  },
};
