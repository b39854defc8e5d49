/**
 * `loyalty-hub import --from <platform>`: members moving in from another program, with their
 * points (docs/operating.md, "Moving members in"). The platform's connector reads them
 * (`createImporter`); core/members/import-run.ts writes them, idempotently and resumably.
 * `loyalty-hub import members.csv` reads them from a file instead (./import-csv.ts).
 */
import { DEFAULT_PROGRAM_PATH, loadProgramFile } from '../program/load-program.js';
import { createWriteBoundary } from '../commit/commit.js';
import { connectorState } from '../connectors/connector-state.js';
import { connectorStatus } from '../connectors/definition.js';
import { discoverConnectors } from '../connectors/discover.js';
import { runImport, type ImportSummary } from '../members/import-run.js';
import { createLogger } from '../observability/logger.js';
import { maskText } from '../observability/redact.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import { importCsvFile, CSV_USAGE } from './import-csv.js';
import { endProgress, progressReporter, rejectsFile } from './import-output.js';
import type { Command } from './main.js';

/** `--source` names the old program of a CSV file (./import-csv.ts); the others serve both forms. */
const IMPORT_OPTIONS = {
  from: { type: 'string' },
  source: { type: 'string' },
  rejects: { type: 'string' },
  'dry-run': { type: 'boolean' },
  restart: { type: 'boolean' },
} as const;

export const importCommand: Command = {
  summary: 'Move members and their points in from a CSV file or another program (--from loyaltylion); idempotent and resumable',
  usage: [
    CSV_USAGE,
    '',
    '',
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
  options: IMPORT_OPTIONS,
  maxPositionals: 1,
  async run(args) {
    const env = process.env;
    const file = args.positionals[0];
    if (file !== undefined) {
      if (args.string('from') !== undefined) {
        console.error('Name either a CSV file or --from <platform>, not both.');
        return 2;
      }
      return importCsvFile(file, args);
    }
    const from = args.string('from');
    if (args.string('source') !== undefined) {
      console.error('--source names the old program of a CSV file; with --from the platform is the source.');
      return 2;
    }
    const definitions = await discoverConnectors();
    const importers = definitions.filter((d) => d.createImporter).map((d) => d.name);
    if (!from) {
      console.error(`Name a CSV file (loyalty-hub import members.csv) or the platform to import from: --from ${importers.join(' | ') || '(no connector can import)'}`);
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
    const program = loadProgramFile(env.LOYALTY_CONFIG || DEFAULT_PROGRAM_PATH);
    const store = await openStore(env.DATABASE_URL || DEFAULT_DATABASE_URL);
    const rejectsPath = args.string('rejects') ?? 'import-rejects.csv';
    const rejects = rejectsFile(rejectsPath, 'position');
    try {
      // The program's time zone: the analytics count the opening lines on its local day (docs/architecture.md, "Analytics aggregates").
      const { commit } = createWriteBoundary(store, Date.now, { timeZone: program.timeZone });
      const state = connectorState(store, commit, def.name);
      const source = def.createImporter(env, { logger: createLogger({ level: 'warn' }), publicUrl: env.PUBLIC_URL || undefined, state });
      const total = await source.count?.();
      const dryRun = args.flag('dry-run');
      let summary: ImportSummary;
      try {
        summary = await runImport(commit, def.name, (cursor, options) => source.pages(cursor, options), {
          actor: `import:${def.name}`,
          dryRun,
          state,
          restart: args.flag('restart'),
          onProgress: progressReporter(total),
          onReject: rejects.add,
        });
      } catch (error) {
        // The platform stopped answering (or refused the key): what was written stays, and the
        // next run carries on after the last page written.
        endProgress();
        console.error(`import from ${from} stopped: ${maskText((error as Error).message)}\nRun the same command again to carry on after the last page written.`);
        return 1;
      }
      endProgress();
      const verb = dryRun ? 'would open' : 'opened';
      console.log(
        dryRun
          ? `dry run: ${summary.read} members read, ${summary.read - summary.rejected} ${verb}, ${summary.rejected} refused; nothing written`
          : `${summary.read} members read: ${summary.enrolled} enrolled, ${summary.matched} already in the hub, ${summary.lines} points lines written, ${summary.rejected} refused`,
      );
      if (summary.rejected) console.log(`refused members and why: ${rejectsPath}`);
      return summary.rejected ? 1 : 0;
    } finally {
      await rejects.close();
      await store.close();
    }
  },
};
