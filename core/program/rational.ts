/**
 * Exact decimal arithmetic for rates and multipliers ("1.25", "0.5"): points are integers and
 * must come out the same on every machine, so no float ever touches them. A value is a BigInt
 * fraction; rounding happens once, where the program says.
 */
export interface Ratio {
  num: bigint;
  den: bigint;
}

export const ONE: Ratio = { num: 1n, den: 1n };

/** "1.25" → 125/100. The schema has already checked the text is a plain positive decimal. */
export function parseDecimal(text: string): Ratio {
  const [whole, fraction = ''] = text.split('.');
  return { num: BigInt(whole! + fraction), den: 10n ** BigInt(fraction.length) };
}

export function multiply(a: Ratio, b: Ratio): Ratio {
  return { num: a.num * b.num, den: a.den * b.den };
}

export function add(a: Ratio, b: Ratio): Ratio {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function fromInteger(n: number): Ratio {
  return { num: BigInt(n), den: 1n };
}

export type Rounding = 'down' | 'nearest' | 'up';

/** The ratio as a whole number of points; `nearest` rounds halves up (0.5 → 1). */
export function round(r: Ratio, mode: Rounding = 'down'): number {
  const q = r.num / r.den;
  const rest = r.num % r.den;
  if (rest === 0n || mode === 'down') return Number(q);
  if (mode === 'up') return Number(q + 1n);
  return Number(rest * 2n >= r.den ? q + 1n : q);
}

export function isOne(r: Ratio): boolean {
  return r.num === r.den;
}

export function toText(r: Ratio): string {
  if (r.den === 1n) return String(r.num);
  const digits = String(r.den).length - 1;
  if (10n ** BigInt(digits) === r.den) {
    const s = String(r.num).padStart(digits + 1, '0');
    return `${s.slice(0, -digits)}.${s.slice(-digits)}`.replace(/\.?0+$/, '');
  }
  return `${r.num}/${r.den}`;
}
