// Preloaded into a command's child process (`node --import`): at exit, writes the process's CPU
// time (user + system, every thread) to the file named by BENCH_CPU_REPORT, so a benchmark can
// time the real `loyalty-hub` command in its own process and still report the work it did.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_REPORT;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.cpuUsage())));
