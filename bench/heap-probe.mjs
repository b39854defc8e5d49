// Benchmark (i) only (bench/hub-memory.ts): preloaded into the hub with `--expose-gc`. On SIGUSR2
// it runs a full garbage collection and writes the live heap to stderr, so the benchmark can tell
// memory the hub still holds from heap V8 has not collected yet. Nothing else changes.
let answered = 0;
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  console.error(`HEAP-PROBE ${++answered} ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}`);
});
