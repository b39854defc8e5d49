/**
 * What `PATCH /v1/members/{id}` needs before it may change a status (docs/api.md, "Member
 * status"): an admin key, and a reason when suspending; a reason alone is refused rather than
 * dropped. Checked before the write, so a refusal writes nothing.
 */
import { hasScope, type Principal } from '../../auth/api-keys.js';
import type { SettableStatus } from '../../members/member-status.js';
import { ProblemError } from '../problem.js';
import { invalidFields } from '../validation.js';

export function requireStatusChange(principal: Principal, status: SettableStatus | undefined, reason: string | undefined): void {
  if (status === undefined) {
    if (reason !== undefined) throw invalidFields({ pointer: '/reason', in: 'body', message: 'a reason goes with a status change: send status too' });
    return;
  }
  if (!hasScope(principal.scopes, 'admin')) {
    throw new ProblemError(403, 'forbidden', 'Forbidden', `Changing a member's status needs a key with the "admin" scope; this key has: ${principal.scopes.join(', ')}.`);
  }
  if (status === 'suspended' && reason === undefined) throw invalidFields({ pointer: '/reason', in: 'body', message: 'say why the member is suspended' });
}
