import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower-case

/**
 * `prefix_` + 10 chars of millisecond time + 16 random chars: sortable by creation time,
 * unguessable, and the prefix says what the id names (`mem_`, `tr_`, `lot_`).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${timePart(now)}${randomPart()}`;
}

/** 10 chars of millisecond time. */
function timePart(now: number): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** 16 random chars (80 bits), built as one flat string: a batch sorts them (`newIds`). */
function randomPart(): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const p = pool;
  const o = poolOffset;
  poolOffset += 16;
  const codes: number[] = [];
  for (let i = 0; i < 16; i++) codes.push(CODES[p[o + i]! & 31]!);
  return String.fromCharCode(...codes);
}

/**
 * `n` new ids of one instant, ascending: as unguessable as `newId`'s, and the rows of a batch
 * written in this order (an import page's members, lots and lines) extend every index keyed by
 * them at its end rather than landing among one another (docs/BENCHMARKS.md (k)).
 */
export function newIds(prefix: string, now: number, n: number): string[] {
  const head = `${prefix}_${timePart(now)}`;
  const tails: string[] = [];
  for (let i = 0; i < n; i++) tails.push(randomPart());
  // The random parts sorted alone: the shared head would only lengthen every comparison.
  tails.sort();
  for (let i = 0; i < n; i++) tails[i] = head + tails[i];
  return tails;
}

/** The part of an id after `prefix_`, as a regular expression source. */
export const ID_BODY = `[${ALPHABET}]{26}`;

/** What `newId(prefix)` returns: to check an id handed back (a list's cursor) without reading the database. */
export const idShape = (prefix: string): RegExp => new RegExp(`^${prefix}_${ID_BODY}$`);

// Random bytes drawn 4 KiB at a time: one call to the CSPRNG per 256 ids instead of per id.
let pool = randomBytes(4096);
let poolOffset = 0;
