import { createHash } from 'node:crypto';

/**
 * Mailchimp's id of an audience member: the MD5 of the lower-cased e-mail address. The same
 * address always names the same member, which makes the member upsert (PUT) idempotent.
 */
export function subscriberHash(email: string): string {
  return createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}
