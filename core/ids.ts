import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower-case

/**
 * `prefix_` + 10 chars of millisecond time + 16 random chars: sortable by creation time,
 * unguessable, and the prefix says what the id names (`mem_`, `tr_`, `lot_`).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (const b of bytes) random += ALPHABET[b & 31];
  return `${prefix}_${time}${random}`;
}
