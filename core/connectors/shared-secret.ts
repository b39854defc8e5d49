import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * For platforms that sign nothing and send a shared secret instead (a Salesforce endpoint's
 * `?secret=`, Dataverse's key header, Zoho's token): whether `given` is the shared secret, in constant time: both sides are hashed first, so the
 * comparison neither stops at the first differing character nor reveals the secret's length.
 */
export function secretMatches(given: string | null | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
