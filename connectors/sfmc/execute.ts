/**
 * One Journey Builder execute call (a contact reaching the activity) → one `activity` trigger.
 *
 * The decoded JWT carries the activity's `inArguments` (what config.json and the configuration
 * page put there: the contact key, the e-mail, the activity name and the points) and the
 * execution's context: `journeyId`, `activityId`, `activityInstanceId`, `definitionInstanceId`,
 * `keyValue` (the contact key), `mode`. The trigger's id is the business fact — this contact
 * passed this activity — so Journey Builder's retries of a timed-out execute, and a contact who
 * re-enters the journey, earn once (docs/connectors/sfmc.md, "Points once per contact").
 */
import { z } from 'zod';
import { InboundPayloadError } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';

/** The activity recorded when the marketer named none (docs/connectors/sfmc.md). */
export const DEFAULT_JOURNEY_ACTIVITY = 'journey.activity';
/** The same rule as the management API's activity names (`review.posted`). */
export const ACTIVITY_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

const text = z.string().trim().min(1);
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Exactly the fields read; the rest of Journey Builder's payload is left alone. */
export const executePayloadSchema = z.looseObject({
  inArguments: z.array(z.record(z.string(), z.unknown())).default([]),
  journeyId: text.optional(),
  activityId: text.optional(),
  activityObjectID: text.optional(),
  activityInstanceId: text.optional(),
  definitionInstanceId: text.optional(),
  keyValue: scalar.optional(),
  iat: z.number().optional(),
});

export type ExecutePayload = z.output<typeof executePayloadSchema>;

/** The activity's settings: the objects of `inArguments`, later ones winning. */
export function activityArguments(payload: Pick<ExecutePayload, 'inArguments'>): Record<string, unknown> {
  return Object.assign({}, ...payload.inArguments) as Record<string, unknown>;
}

/** Whole points, at least 1: from a number or the text Journey Builder's data binding makes of one. */
export function pointsOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A bound value (`{{Contact.Default.Email}}` once Journey Builder filled it in), or undefined. */
function boundText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  // An unbound expression means the attribute does not exist for this contact.
  return v && !/^\{\{.*\}\}$/.test(v) ? v : undefined;
}

export function executeTrigger(raw: Record<string, unknown>, now: number): PlatformTrigger {
  const payload = parseWithSchema(executePayloadSchema, raw, '', 'Journey Builder execute call');
  const args = activityArguments(payload);
  const argPointer = (name: string) => {
    let index = payload.inArguments.length - 1;
    while (index > 0 && !(name in payload.inArguments[index]!)) index--;
    return `/inArguments/${Math.max(index, 0)}/${name}`;
  };

  const activityId = payload.activityId ?? payload.activityObjectID;
  const contactKey = boundText(payload.keyValue) ?? boundText(args.contactKey);
  const errors: { pointer: string; detail: string }[] = [];
  if (!activityId) errors.push({ pointer: '/activityId', detail: 'the execute call names no activity' });
  if (!contactKey) errors.push({ pointer: '/keyValue', detail: 'the execute call names no contact key (keyValue, or contactKey in inArguments)' });

  const name = args.activity === undefined || args.activity === '' ? DEFAULT_JOURNEY_ACTIVITY : String(args.activity).trim().toLowerCase();
  if (!ACTIVITY_NAME.test(name)) errors.push({ pointer: argPointer('activity'), detail: `"${name}" is not a lower-case activity name like journey.welcome` });
  const points = pointsOf(args.points);
  if (points === undefined) errors.push({ pointer: argPointer('points'), detail: 'the points of the activity must be a whole number of at least 1' });
  if (errors.length) throw new InboundPayloadError('the Journey Builder execute call cannot be used', errors);

  const email = boundText(args.email);
  return {
    id: `sfmc:journey:${activityId!}:${contactKey!}`,
    source: 'sfmc',
    type: 'activity',
    name,
    occurredAt: payload.iat !== undefined ? payload.iat * 1000 : now,
    customer: { platformId: contactKey!, ...(email && email.includes('@') ? { email } : {}) },
    attributes: {
      points: points!,
      activityId: activityId!,
      ...(payload.journeyId ? { journeyId: payload.journeyId } : {}),
      ...(payload.definitionInstanceId ? { definitionInstanceId: payload.definitionInstanceId } : {}),
      ...(payload.activityInstanceId ? { activityInstanceId: payload.activityInstanceId } : {}),
    },
  };
}
