/**
 * Voucher codes: 16 characters from a 31-letter alphabet without look-alikes (no 0/O, 1/I/L),
 * from the CSPRNG — about 79 bits, unguessable — grouped for reading aloud at a till.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function generateVoucherCode(): string {
  let code = '';
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) code += '-';
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
}

/** Codes are compared as typed at a till: case and spaces do not matter. */
export function normalizeVoucherCode(code: string): string {
  return code.trim().toUpperCase().replace(/\s+/g, '');
}
