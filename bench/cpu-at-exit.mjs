// Preloaded into a command's child process (`node --import`): at exit, writes the process's CPU
// time (user + system, every thread) to the file named by BENCH_CPU_REPORT, so a benchmark can
// time the real `loyalty-hub` command in its own process and still report the work it did. A
// command that runs itself again (`import`: bin/loyalty-hub.mjs) passes the preload on; the
// process that exits last adds what the one before it wrote.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_CPU_REPORT;
// Once per process: worker threads load the preload too, and the usage is the whole process's.
if (file && isMainThread) {
  process.on('exit', () => {
    const used = process.cpuUsage();
    if (existsSync(file)) {
      const before = JSON.parse(readFileSync(file, 'utf8'));
      used.user += before.user;
      used.system += before.system;
    }
    writeFileSync(file, JSON.stringify(used));
  });
}
