/**
 * The member page's forms (docs/console.md, "Members"): each one change through the API, each
 * with its own reason where the API takes one. Drawn only for a key whose scope the API allows
 * that change (adjust, status, holds, erase: admin; the manual tier: write), and the API
 * refuses the rest anyway. A refused form comes back with what the person typed.
 */
import { ActionForm, ProblemNotice } from '../components.js';
import type { Problem } from '../../api/problem.js';
import type { HoldView, MemberView } from './member-types.js';
import { formatPoints, formatTime } from '../components.js';

export type ActionName = 'adjust' | 'tier' | 'status' | 'hold' | 'erase';

/** A form the API (or the erase confirmation) refused: shown again with its problem and the values typed. */
export interface Refusal {
  form: ActionName;
  problem: Problem;
  values: Record<string, string>;
  /** For a hold decision: which hold's form. */
  holdId?: string;
}

const base = (id: string) => `/console/members/${encodeURIComponent(id)}`;

function Refused(props: { refusal?: Refusal; form: ActionName; holdId?: string }) {
  const r = props.refusal;
  if (!r || r.form !== props.form || (props.holdId && r.holdId !== props.holdId)) return null;
  return <ProblemNotice problem={r.problem} />;
}

const typed = (refusal: Refusal | undefined, form: ActionName, field: string) => (refusal?.form === form ? refusal.values[field] : undefined) ?? '';

export function AdjustForm(props: { member: MemberView; csrf: string; refusal?: Refusal }) {
  const { member, refusal } = props;
  return (
    <section class="panel" id="adjust" aria-labelledby="adjust-h">
      <h3 id="adjust-h">Adjust points</h3>
      <Refused refusal={refusal} form="adjust" />
      <ActionForm action={`${base(member.id)}/adjust`} csrfToken={props.csrf} class="stack" label="Adjust points">
        <label for="adjust-points">Points (negative to take away)</label>
        <input id="adjust-points" name="points" inputmode="numeric" pattern="-?[0-9]+" required value={typed(refusal, 'adjust', 'points')} />
        <label for="adjust-reason">Reason for the adjustment</label>
        <input id="adjust-reason" name="reason" required minlength={3} maxlength={500} value={typed(refusal, 'adjust', 'reason')} aria-describedby="adjust-reason-help" />
        <p id="adjust-reason-help" class="help">
          Kept on the ledger line, with your key's name.
        </p>
        <label for="adjust-expires">Credit expires on (optional, UTC)</label>
        <input id="adjust-expires" name="expiresOn" type="date" value={typed(refusal, 'adjust', 'expiresOn')} />
        <div>
          <button type="submit">Adjust</button>
        </div>
      </ActionForm>
    </section>
  );
}

export function TierForm(props: { member: MemberView; tiers: { id: string; name: string }[]; csrf: string; refusal?: Refusal }) {
  const { member, refusal } = props;
  const chosen = refusal?.form === 'tier' ? refusal.values.tier : (member.manualTier ?? '');
  return (
    <section class="panel" id="tier" aria-labelledby="tier-h">
      <h3 id="tier-h">Manual tier</h3>
      <Refused refusal={refusal} form="tier" />
      <p class="help">A floor under the tier the member's points earn. Clearing it puts the member on what their points earn now.</p>
      <ActionForm action={`${base(member.id)}/tier`} csrfToken={props.csrf} class="stack" label="Manual tier">
        <label for="tier-select">Tier set by hand</label>
        <select id="tier-select" name="tier">
          <option value="" selected={chosen === ''}>
            None (clear the manual tier)
          </option>
          {props.tiers.map((t) => (
            <option value={t.id} selected={chosen === t.id}>
              {t.name} ({t.id})
            </option>
          ))}
        </select>
        <div>
          <button type="submit">Save tier</button>
        </div>
      </ActionForm>
    </section>
  );
}

export function StatusForm(props: { member: MemberView; csrf: string; refusal?: Refusal }) {
  const { member, refusal } = props;
  const next = member.status === 'suspended' ? 'active' : 'suspended';
  return (
    <section class="panel" id="status" aria-labelledby="status-h">
      <h3 id="status-h">Status</h3>
      <Refused refusal={refusal} form="status" />
      <p>
        The member is <strong>{member.status}</strong>.{' '}
        {next === 'suspended' ? 'A suspended member earns into pending only and cannot redeem.' : 'Reactivating releases its pending points on their normal schedule.'}
      </p>
      <ActionForm action={`${base(member.id)}/status`} csrfToken={props.csrf} class="stack" label="Change status">
        <input type="hidden" name="status" value={next} />
        <label for="status-reason">{next === 'suspended' ? 'Reason for suspending' : 'Reason for reactivating (optional)'}</label>
        <input id="status-reason" name="reason" maxlength={500} required={next === 'suspended'} value={typed(refusal, 'status', 'reason')} />
        <div>
          <button type="submit" class={next === 'suspended' ? 'danger' : undefined}>
            {next === 'suspended' ? 'Suspend' : 'Reactivate'}
          </button>
        </div>
      </ActionForm>
    </section>
  );
}

/** Each open hold: what the check saw, and one form to approve or reject it with a reason. */
export function HoldDecision(props: { memberId: string; hold: HoldView; csrf: string; refusal?: Refusal }) {
  const { hold, refusal } = props;
  const reasonId = `hold-reason-${hold.id}`;
  return (
    <li class="panel hold">
      <p>
        <strong>{formatPoints(hold.points)} points</strong> held {formatTime(hold.heldAt)} for <code>{hold.eventId}</code>: {hold.reason}. Review due{' '}
        {formatTime(hold.heldUntil)}
        {hold.overdue ? <span class="status bad"> overdue</span> : null}
      </p>
      <Refused refusal={refusal} form="hold" holdId={hold.id} />
      <ActionForm action={`${base(props.memberId)}/holds/${encodeURIComponent(hold.id)}`} csrfToken={props.csrf} class="inline" label={`Decide hold ${hold.id}`}>
        <div>
          <label for={reasonId}>Reason for the decision</label>
          <input id={reasonId} name="reason" required maxlength={500} value={refusal?.form === 'hold' && refusal.holdId === hold.id ? (refusal.values.reason ?? '') : ''} />
        </div>
        <button type="submit" name="decision" value="approve">
          Approve
        </button>
        <button type="submit" name="decision" value="reject" class="danger">
          Reject
        </button>
      </ActionForm>
    </li>
  );
}

export function EraseForm(props: { member: MemberView; csrf: string; refusal?: Refusal }) {
  const { member, refusal } = props;
  return (
    <section class="panel danger-zone" id="erase" aria-labelledby="erase-h">
      <h3 id="erase-h">Erase this member</h3>
      <Refused refusal={refusal} form="erase" />
      <p>
        Removes the profile, aliases and every personal detail the hub keeps, for good; the points history stays under the member id. This cannot be
        undone.
      </p>
      <ActionForm action={`${base(member.id)}/erase`} csrfToken={props.csrf} class="stack" label="Erase this member">
        <label for="erase-confirm">
          Type the member id <code>{member.id}</code> to confirm
        </label>
        <input id="erase-confirm" name="confirm" autocomplete="off" required data-confirm={member.id} value={typed(refusal, 'erase', 'confirm')} />
        <div>
          <button type="submit" class="danger">
            Erase for good
          </button>
        </div>
      </ActionForm>
    </section>
  );
}
