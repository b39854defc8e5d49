/** Small statistics and number formatting shared by the benchmarks. */

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  const sum = arr.reduce((a, b) => a + b, 0);
  return { n: arr.length, median: median(arr), p99: percentile(arr, 99), mean: sum / Math.max(1, arr.length), max: arr.at(-1) ?? Number.NaN };
}

/** Deterministic PRNG (mulberry32), so a workload is the same from one run to the next. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const fmt = {
  int: (n: number): string => Math.round(n).toLocaleString('en-US'),
  /** Milliseconds with a precision that suits the magnitude. */
  ms: (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3)) + ' ms',
  ratio: (n: number): string => n.toFixed(2),
  pct: (n: number): string => `${(n * 100).toFixed(0)} %`,
  seconds: (ms: number): string => `${(ms / 1000).toFixed(1)} s`,
  /** 1000 → 1k, 1000000 → 1M. */
  rows: (n: number): string => (n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n)),
};

export const passFail = (ok: boolean): string => (ok ? '**PASS**' : '**FAIL**');
