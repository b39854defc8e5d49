import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { zendeskOptions, type ZendeskOptions } from './options.js';

export interface ZendeskAdapterConfig {
  subdomain: string;
  email: string;
  apiToken: string;
  /** Replaces `https://<subdomain>.zendesk.com` (a proxy, a sandbox, a local stub). */
  apiUrl?: string;
}

/** `ZENDESK_SUBDOMAIN` as people write it: `acme`, `acme.zendesk.com` or `https://acme.zendesk.com/`. */
export function zendeskBaseUrl(config: Pick<ZendeskAdapterConfig, 'subdomain' | 'apiUrl'>): string {
  if (config.apiUrl) return config.apiUrl.replace(/\/+$/, '');
  const sub = config.subdomain.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '').replace(/\.zendesk\.com$/i, '');
  return `https://${sub}.zendesk.com`;
}

type Member = SendContext['member'];
export interface ZendeskRequester { name: string; email: string }

/**
 * The ticket's requester: the options' e-mail, else the member's; the options' name, else the
 * member's name when the address is the member's, else the address itself (Zendesk needs a name
 * to create a user it does not know yet). No address at all → no requester: Zendesk then makes
 * the API user the requester.
 */
export function resolveRequester(requester: ZendeskOptions['requester'], member: Member): ZendeskRequester | undefined {
  const email = nonEmpty(requester?.email) ?? nonEmpty(member?.email);
  if (!email) return undefined;
  const isMember = !!member?.email && member.email.toLowerCase() === email.toLowerCase();
  const memberName = isMember ? nonEmpty([member.firstName, member.lastName].filter(Boolean).join(' ')) : undefined;
  return { name: nonEmpty(requester?.name) ?? memberName ?? email, email };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createZendeskAdapter(config: ZendeskAdapterConfig): OutboundAdapter<ZendeskOptions> {
  const url = `${zendeskBaseUrl(config)}/api/v2/tickets.json`;
  // API-token authentication: "{email}/token:{api_token}", Basic.
  const authorization = `Basic ${Buffer.from(`${config.email}/token:${config.apiToken}`).toString('base64')}`;

  return {
    name: 'zendesk',
    options: zendeskOptions,
    async send(options, context) {
      const requester = resolveRequester(options.requester, context.member);
      if (requester && !EMAIL.test(requester.email)) {
        return { status: 'permanent', error: 'zendesk: the requester e-mail is not an e-mail address' };
      }
      const ticket = {
        subject: options.subject,
        comment: { body: options.comment, public: options.public ?? true },
        ...(requester ? { requester } : {}),
        ...(options.tags?.length ? { tags: options.tags } : {}),
        ...(options.priority ? { priority: options.priority } : {}),
      };

      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/json',
            accept: 'application/json',
            // Zendesk answers a repeated key (same body) with the first answer instead of a second
            // ticket, so a retry after a lost response creates nothing new.
            'idempotency-key': context.idempotencyKey,
          },
          body: JSON.stringify({ ticket }),
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) return { status: 'retry', error: 'zendesk: aborted' };
        return { status: 'retry', error: `zendesk: request failed: ${requestFailure(error)}` };
      }

      const body = await jsonAnswer(res);
      if (res.ok) {
        const id = (body as { ticket?: { id?: unknown } } | undefined)?.ticket?.id;
        return { status: 'delivered', statusCode: res.status, ...(id !== undefined && id !== null ? { providerMessageId: String(id) } : {}) };
      }
      // 409: another request holds the resource (or the same key is still in flight) — Zendesk
      // asks clients to try again, which classifyHttp alone would dead-letter.
      const outcome: SendOutcome = res.status === 409 ? classifyHttp(503, res.headers, context.now) : classifyHttp(res.status, res.headers, context.now);
      const error = `zendesk: HTTP ${res.status}${errorDetail(body)}`;
      if (outcome.status === 'retry') return { ...outcome, statusCode: res.status, error };
      if (outcome.status === 'permanent') return { ...outcome, error };
      return outcome;
    },
  };
}

/**
 * `{ error: "RecordInvalid", description: "Record validation errors", details: { field: [{ description }] } }`
 * → `RecordInvalid: Record validation errors (requester: …)`. Field descriptions name the field
 * and the rule; they are kept short.
 */
function errorDetail(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as { error?: unknown; description?: unknown; details?: unknown };
  const error = typeof b.error === 'string' ? b.error : typeof b.error === 'object' && b.error ? (b.error as { title?: unknown }).title : undefined;
  const parts = [typeof error === 'string' ? error : undefined, typeof b.description === 'string' ? b.description : undefined].filter(Boolean);
  const details: string[] = [];
  if (b.details && typeof b.details === 'object') {
    for (const [field, list] of Object.entries(b.details as Record<string, unknown>)) {
      const first = Array.isArray(list) ? (list[0] as { description?: unknown } | undefined)?.description : undefined;
      details.push(typeof first === 'string' ? first : field);
    }
  }
  let text = parts.join(': ') + (details.length ? ` (${details.slice(0, 3).join('; ')})` : '');
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text ? ` ${text}` : '';
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}
