import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/loyalty-hub.mjs');

export interface HubProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `loyalty-hub serve` as its own process, as a newcomer or an operator would: configured
 * only by its environment (the test's PORT, DATABASE_URL and ADMIN_API_KEY are not inherited).
 * Resolves once it prints where it listens, and after `waitFor` if given.
 */
export async function startHubProcess(env: Record<string, string>, waitFor?: RegExp): Promise<HubProcess> {
  const { PORT: _p, ADMIN_API_KEY: _a, DATABASE_URL: _d, ...base } = process.env;
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env: { ...base, ...env }, cwd: tmpdir() });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (!(url = /listening on (http:\/\/localhost:\d+)/.exec(out)?.[1]) || (waitFor && !waitFor.test(out))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hub did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    output: () => out,
    stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return exited;
    },
  };
}
