/**
 * `loyalty-hub <command>` — serve, migrate, expire, replay, import, export, check, keys create/list/revoke, mappings check/preview, connectors check. Each command has --help.
 */
import { expireCommand } from './expire.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { checkCommand } from './check.js';
import { connectorsCheck } from './connectors.js';
import { keysCreate, keysList, keysRevoke } from './keys.js';
import { mappingsCheck, mappingsPreview } from './mappings.js';
import { migrateCommand } from './migrate.js';
import { replayCommand } from './replay.js';
import { serveCommand } from './serve.js';
import { parseArguments, type OptionsConfig, type ParsedArguments } from './arguments.js';
import { describeError } from '../observability/describe-error.js';
import { maskText } from '../observability/redact.js';

export interface Command {
  summary: string;
  usage: string;
  /** The options it takes, declared as data: any other is refused before it runs (./arguments.ts). */
  options: OptionsConfig;
  /** How many plain arguments it takes at most (a file, `members|ledger`, a key id); default none. */
  maxPositionals?: number;
  run(args: ParsedArguments): Promise<number>;
}

export const commands: Readonly<Record<string, Command>> = {
  serve: serveCommand,
  migrate: migrateCommand,
  expire: expireCommand,
  replay: replayCommand,
  import: importCommand,
  export: exportCommand,
  'keys create': keysCreate,
  'keys list': keysList,
  'keys revoke': keysRevoke,
  check: checkCommand,
  'mappings check': mappingsCheck,
  'mappings preview': mappingsPreview,
  'connectors check': connectorsCheck,
};

function mainHelp(): string {
  return [
    'Usage: loyalty-hub <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(18)}${c.summary}`),
    '',
    'Run `loyalty-hub <command> --help` for a command\'s options.',
    'Environment: see .env.example (DATABASE_URL, PORT, ADMIN_API_KEY, connector secrets).',
  ].join('\n');
}

/** Commands named by two words (`keys create`): the first word alone asks what the group holds. */
const GROUPS = ['keys', 'mappings', 'connectors'];

function groupHelp(group: string): string {
  return [
    `Usage: loyalty-hub ${group} <command> [options]`,
    '',
    ...Object.entries(commands)
      .filter(([name]) => name.startsWith(`${group} `))
      .map(([name, c]) => `  ${name.padEnd(18)}${c.summary}`),
    '',
    `Run \`loyalty-hub ${group} <command> --help\` for a command's options.`,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const group = GROUPS.includes(argv[0] ?? '') ? argv[0]! : undefined;
  if (group && (argv[1] === undefined || argv[1] === '--help' || argv[1] === '-h' || argv[1] === 'help')) {
    if (argv[1] === undefined) {
      console.error(`Name a ${group} command.\n\n${groupHelp(group)}`);
      return 2;
    }
    console.log(groupHelp(group));
    return 0;
  }
  const name = group ? `${group} ${argv[1]}` : argv[0];
  const rest = argv.slice(group ? 2 : 1);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${group ? groupHelp(group) : mainHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  const parsed = parseArguments(rest, command.options, command.maxPositionals ?? 0);
  if ('refusal' in parsed) {
    console.error(`loyalty-hub ${name}: ${parsed.refusal}. Nothing was done; see \`loyalty-hub ${name} --help\`.`);
    return 2;
  }
  return command.run(parsed);
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (error: unknown) => {
      console.error(maskText(describeError(error).message));
      process.exitCode = 1;
    },
  );
}
