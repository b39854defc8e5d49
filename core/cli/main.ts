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
import { describeError } from '../observability/describe-error.js';
import { maskText } from '../observability/redact.js';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
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

export async function main(argv: string[]): Promise<number> {
  const name = argv[0] === 'keys' || argv[0] === 'mappings' || argv[0] === 'connectors' ? `${argv[0]} ${argv[1] ?? ''}`.trim() : argv[0];
  const rest = argv.slice(name?.includes(' ') ? 2 : 1);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${mainHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  return command.run(rest);
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
