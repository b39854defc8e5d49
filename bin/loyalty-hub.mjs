#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx loyalty-hub` and `npm start` need no build step.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// `import` writes a page of a thousand members at a time, and V8's default young generation
// (16 MiB) fills several times a page, its garbage collector copying the page's rows each time:
// with 64 MiB a million-row import spends half as long collecting (docs/BENCHMARKS.md (k)).
// Node sizes it only when it starts, so the command runs itself once more with it.
const YOUNG_GENERATION = '--max-semi-space-size=64';
const RERUN = 'LOYALTY_HUB_RERUN';
if (process.argv[2] === 'import' && !process.execArgv.includes(YOUNG_GENERATION) && !process.env[RERUN]) {
  const child = spawn(process.execPath, [...process.execArgv, YOUNG_GENERATION, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [RERUN]: '1' },
  });
  // A Ctrl-C reaches both processes; a signal sent to this one alone is passed on.
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  const [code, signal] = await once(child, 'exit');
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(signal, forward);
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}
if (process.env[RERUN] && process.channel) {
  // Run by the lines above: stop when that process is gone, even killed outright (SIGKILL), as
  // the command would have. A page being written then is rolled back; the next run carries on.
  delete process.env[RERUN];
  process.channel.unref();
  process.on('disconnect', () => process.exit(1));
}

// A .env in the working directory fills in what the environment does not already set.
if (existsSync('.env')) process.loadEnvFile('.env');
// The project's tsconfig wherever the hub is started from: it says how the console's JSX compiles.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
