/**
 * What the end-to-end webhook tests share: the platforms' own sample payloads, and the views a
 * merchant or support agent has of the outcome (the inbox, members, balances, history, loyalty
 * events) — read through the management API wherever the API shows it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { asc } from 'drizzle-orm';
import { expect } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { json, type HubHarness } from '../helpers/test-hub.js';

export type Json = Record<string, unknown>;

/** A vendored sample payload, parsed (tests change fields per scenario). */
export function sample(platform: string, name: string): Json {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/${platform}/${name}.json`, import.meta.url)), 'utf8')) as Json;
}

/** The sample's bytes as the platform wrote them. */
export function sampleText(platform: string, name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/${platform}/${name}.json`, import.meta.url)), 'utf8');
}

export interface Outcome {
  eventId: string;
  type: string;
  status: 'applied' | 'duplicate' | 'guest' | 'parked';
  memberId: string | null;
  points: number;
  detail?: string;
}

export interface WebhookAnswer {
  httpStatus: number;
  contentType: string | null;
  status?: 'accepted' | 'duplicate' | 'ignored';
  eventId?: string;
  inboxId?: string;
  outcomes?: Outcome[];
  /** Problem documents. */
  type?: string;
  title?: string;
  detail?: string;
  errors?: { pointer: string; message: string }[];
}

/** One webhook request, read as the platform sees the answer. */
export async function deliver(h: HubHarness, platform: string, init: RequestInit): Promise<WebhookAnswer> {
  const res = await h.hub.app.request(`/webhooks/${platform}`, init);
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Omit<WebhookAnswer, 'httpStatus' | 'contentType'>;
  return { ...body, httpStatus: res.status, contentType: res.headers.get('content-type') };
}

/** The same request `n` times at once. */
export function deliverConcurrently(h: HubHarness, platform: string, init: RequestInit, n: number): Promise<WebhookAnswer[]> {
  return Promise.all(Array.from({ length: n }, () => deliver(h, platform, init)));
}

/** How many answers had each `status` (`accepted`, `duplicate`, …), and that all were 200. */
export function tally(answers: WebhookAnswer[]): Record<string, number> {
  expect(answers.map((a) => a.httpStatus)).toEqual(answers.map(() => 200));
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a.status ?? 'none'] = (counts[a.status ?? 'none'] ?? 0) + 1;
  return counts;
}

/** The one outcome of a delivery that became one trigger event. */
export function onlyOutcome(answer: WebhookAnswer): Outcome {
  expect(answer.httpStatus).toBe(200);
  expect(answer.outcomes).toHaveLength(1);
  return answer.outcomes![0]!;
}

export interface InboxEntry {
  id: string;
  source: string;
  deliveryId: string;
  topic: string | null;
  status: string;
  events: Json[] | null;
  outcome: unknown;
  rawBody: string;
}

export async function inbox(h: HubHarness, query = ''): Promise<InboxEntry[]> {
  const res = await h.call('GET', `/v1/inbox?limit=200${query ? `&${query}` : ''}`);
  expect(res.status).toBe(200);
  return (await json<{ data: InboxEntry[] }>(res)).data;
}

export interface MemberView {
  id: string;
  email: string | null;
  aliases: string[];
}

export async function members(h: HubHarness): Promise<MemberView[]> {
  const res = await h.call('GET', '/v1/members?limit=200', { scope: 'read' });
  expect(res.status).toBe(200);
  return (await json<{ data: MemberView[] }>(res)).data;
}

/** The member holding a platform alias (`shopify:123`), or undefined. */
export async function memberByAlias(h: HubHarness, alias: string): Promise<MemberView | undefined> {
  const res = await h.call('GET', `/v1/members?alias=${encodeURIComponent(alias)}`, { scope: 'read' });
  expect(res.status).toBe(200);
  return (await json<{ data: MemberView[] }>(res)).data[0];
}

export interface BalanceView {
  available: number;
  pending: number;
  lifetimeEarned: number;
  debt: number;
  tier: string | null;
}

export async function balance(h: HubHarness, memberId: string): Promise<BalanceView> {
  const res = await h.call('GET', `/v1/members/${memberId}/balance`, { scope: 'read' });
  expect(res.status).toBe(200);
  return json<BalanceView>(res);
}

/** Available points of the member holding `alias` (fails when nobody holds it). */
export async function pointsOf(h: HubHarness, alias: string): Promise<number> {
  const member = await memberByAlias(h, alias);
  expect(member, `a member with alias ${alias}`).toBeDefined();
  return (await balance(h, member!.id)).available;
}

export interface TransactionView {
  kind: string;
  amount: number;
  eventId: string | null;
}

/** The member's points history, oldest first. */
export async function history(h: HubHarness, memberId: string): Promise<TransactionView[]> {
  const res = await h.call('GET', `/v1/members/${memberId}/transactions?limit=200`, { scope: 'read' });
  expect(res.status).toBe(200);
  return (await json<{ data: TransactionView[] }>(res)).data.reverse();
}

/** Points earned and taken back over the member's whole history. */
export async function earnedAndReversed(h: HubHarness, memberId: string): Promise<{ earned: number; reversed: number }> {
  const lines = await history(h, memberId);
  const sum = (kind: string) => lines.filter((t) => t.kind === kind).reduce((n, t) => n + t.amount, 0);
  return { earned: sum('earn'), reversed: sum('reverse') };
}

/** Loyalty events the hub emitted (what mappings and outbound webhooks hear), oldest first. */
export async function loyaltyEvents(h: HubHarness, type?: string): Promise<{ type: string; memberId: string | null; data: Json }[]> {
  const { loyaltyEvents: e } = tablesOf(h.hub.store.db);
  const rows = await h.hub.store.db.select().from(e).orderBy(asc(e.seq));
  return rows.map((r) => ({ type: r.type, memberId: r.memberId, data: JSON.parse(r.data) as Json })).filter((r) => type === undefined || r.type === type);
}

/** A refused delivery left no trace: nothing in the inbox, nobody enrolled, no points. */
export async function expectNothingWritten(h: HubHarness): Promise<void> {
  expect(await inbox(h)).toEqual([]);
  expect(await members(h)).toEqual([]);
  expect(await loyaltyEvents(h)).toEqual([]);
}

/** A 401 answer is a problem document naming why. */
export function expectUnauthorized(answer: WebhookAnswer, reason: RegExp): void {
  expect(answer.httpStatus).toBe(401);
  expect(answer.contentType).toContain('application/problem+json');
  expect(answer.detail).toMatch(reason);
}

/** 400 problem naming the field, the delivery kept as `rejected`, and support told (`webhook.rejected`). */
export async function expectRejected(h: HubHarness, platform: string, answer: WebhookAnswer, pointer: string): Promise<void> {
  expect(answer.httpStatus).toBe(400);
  expect(answer.contentType).toContain('application/problem+json');
  expect(answer.errors?.map((e) => e.pointer)).toContain(pointer);
  const rows = await inbox(h);
  expect(rows.map((r) => [r.source, r.status])).toEqual([[platform, 'rejected']]);
  expect(rows[0]!.id).toBe(answer.inboxId);
  const rejected = await loyaltyEvents(h, 'webhook.rejected');
  expect(rejected).toHaveLength(1);
  expect(rejected[0]!.data).toMatchObject({ platform, inboxId: answer.inboxId });
  expect(await members(h)).toEqual([]);
}

/** A JSON body of more than the default 1 MiB limit, as a platform might send by mistake. */
export function oversizedBody(): string {
  return JSON.stringify({ id: 1, note: 'x'.repeat(1024 * 1024) });
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** An ISO timestamp `days` before the hub's clock (guest orders are credited within 30 days). */
export function daysAgo(h: HubHarness, days: number): string {
  return new Date(h.clock() - days * DAY_MS).toISOString();
}

/**
 * A 401 stored nothing but the platform's failure counter: no inbox row, nobody enrolled, no
 * points, and no loyalty event but the rate-limited signature alert (`webhook.rejected`, kind
 * `signature`) the first failure raises.
 */
export async function expectOnlySignatureAlert(h: HubHarness, platform: string): Promise<void> {
  expect(await inbox(h)).toEqual([]);
  expect(await members(h)).toEqual([]);
  const events = await loyaltyEvents(h);
  expect(events.map((e) => [e.type, e.data.kind, e.data.platform])).toEqual([['webhook.rejected', 'signature', platform]]);
}
