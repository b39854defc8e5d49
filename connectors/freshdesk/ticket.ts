/**
 * The body of `POST /api/v2/tickets` from a mapping's options (docs/connectors/freshdesk.md,
 * "What the hub sends"): Freshdesk's own field names and codes, the description as escaped
 * HTML, the requester resolved as the Zendesk adapter does (the options', else the member's).
 */
import type { SendContext } from '../../core/outbound/adapter.js';
import { textToHtml } from './html.js';
import { FRESHDESK_PRIORITY, FRESHDESK_SOURCE, FRESHDESK_STATUS, type FreshdeskOptions } from './options.js';

type Member = SendContext['member'];

export type FreshdeskRequester = { requester_id: number } | { email: string; name?: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The requester: a contact id when given; else the options' e-mail, else the member's, with the
 * options' name, else the member's name when the address is the member's (Freshdesk names a new
 * contact after its address otherwise). A string is the reason there is none usable.
 */
export function resolveRequester(requester: FreshdeskOptions['requester'], member: Member): FreshdeskRequester | string {
  if (requester?.id !== undefined) return { requester_id: Number(requester.id) };
  const email = nonEmpty(requester?.email) ?? nonEmpty(member?.email);
  if (!email) return 'the ticket needs a requester: give requester.email (your team\'s address) in the mapping, the event has no member e-mail';
  if (!EMAIL.test(email)) return 'the requester e-mail is not an e-mail address';
  const isMember = !!member?.email && member.email.toLowerCase() === email.toLowerCase();
  const memberName = isMember ? nonEmpty([member.firstName, member.lastName].filter(Boolean).join(' ')) : undefined;
  const name = nonEmpty(requester?.name) ?? memberName;
  return { email, ...(name ? { name } : {}) };
}

export interface TicketBody {
  subject: string;
  description: string;
  [field: string]: unknown;
}

/** The ticket, with `dedupTag` among its tags and `contextHtml` (already escaped) after the description. */
export function ticketBody(options: FreshdeskOptions, requester: FreshdeskRequester, dedupTag: string, contextHtml = ''): TicketBody {
  const tags = [...new Set([...(options.tags ?? []), dedupTag])];
  return {
    ...requester,
    subject: options.subject,
    description: `<div>${textToHtml(options.description)}</div>${contextHtml}`,
    // Always sent, with Freshdesk's own defaults, as its samples do: a ticket is never refused for lacking them.
    priority: FRESHDESK_PRIORITY[options.priority ?? 'low'],
    status: FRESHDESK_STATUS[options.status ?? 'open'],
    ...(options.source ? { source: FRESHDESK_SOURCE[options.source] } : {}),
    ...(options.type ? { type: options.type } : {}),
    ...(options.groupId !== undefined ? { group_id: Number(options.groupId) } : {}),
    ...(options.customFields && Object.keys(options.customFields).length ? { custom_fields: options.customFields } : {}),
    tags,
  };
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}
