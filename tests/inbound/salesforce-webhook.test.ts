/**
 * Salesforce end to end: Salesforce's own captured Outbound Message (2 Contact notifications,
 * tests/fixtures/platform-samples/salesforce) and JSON callouts through `POST /webhooks/salesforce`
 * of a whole hub, judged by what Salesforce reads back (the Ack envelope or a fault) and what a
 * merchant sees — members, balances, the inbox — under the shipped program (customer.created 50
 * points once per member, review.posted 25, newsletter.subscribed 20).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import salesforce from '../../connectors/salesforce/index.js';
import type { HubHarness } from '../helpers/test-hub.js';
import { hubHarness } from '../helpers/test-hub.js';
import { balance, expectOnlySignatureAlert, inbox, loyaltyEvents, memberByAlias, members, pointsOf } from './webhook-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/platform-samples/salesforce/${name}`, import.meta.url), 'utf8');
const SAMPLE = fixture('outbound_message_contact_2_notifications.xml');
const ACK = fixture('outbound_message_ack_response.xml');

const SECRET = 'sf-inbound-secret-3f9a0c2e';
const env = {
  SALESFORCE_INBOUND_SECRET: SECRET,
  SALESFORCE_ORGANIZATION_ID: '012345678901234', // the sample's OrganizationId
  SALESFORCE_USERNAME: 'integration@acme.test',
  SALESFORCE_PASSWORD: 'not-used-here',
};

/** The sample's two Contacts. */
const JERALDINE = 'salesforce:0031I0000081tbPQAQ';
const DOUG = 'salesforce:0031I0000081tb0QAA';

interface SoapAnswer {
  status: number;
  contentType: string | null;
  text: string;
}

/** POSTs an Outbound Message the way Salesforce does. */
async function post(h: HubHarness, xml: string, query = `?secret=${SECRET}`): Promise<SoapAnswer> {
  const res = await h.hub.app.request(`/webhooks/salesforce${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'user-agent': 'Salesforce' },
    body: xml,
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

function expectAck(answer: SoapAnswer): void {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toContain('text/xml');
  expect(answer.text).toBe(ACK);
}

/** One Contact notification with these fields, in the sample's envelope. */
function message(notificationId: string, fields: Record<string, string>, type = 'Contact'): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<sf:${k}>${v}</sf:${k}>`)
    .join('');
  return SAMPLE.replace(
    /<Notification>[\s\S]*<\/Notification>/,
    `<Notification><Id>${notificationId}</Id><sObject xsi:type="sf:${type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${body}</sObject></Notification>`,
  );
}

async function callout(h: HubHarness, body: unknown, authorization = `Bearer ${SECRET}`) {
  const res = await h.hub.app.request('/webhooks/salesforce', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /webhooks/salesforce — Outbound Messages', () => {
  const h = hubHarness({ connectors: [salesforce], env });

  it('the 2-notification sample: two triggers, two members with the welcome bonus, answered with the Ack', async () => {
    expectAck(await post(h, SAMPLE));

    const [row, ...others] = await inbox(h, 'source=salesforce');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ status: 'accepted', topic: 'outbound-message:Contact', rawBody: SAMPLE });
    expect(row!.events!.map((e) => [e.type, e.id])).toEqual([
      ['customer.created', 'salesforce:customer:0031I0000081tbPQAQ:created'],
      ['customer.created', 'salesforce:customer:0031I0000081tb0QAA:created'],
    ]);
    expect(await memberByAlias(h, DOUG)).toMatchObject({ email: 'drb24@cornell.edu' });
    expect(await memberByAlias(h, JERALDINE)).toMatchObject({ email: null }); // the sample sends no e-mail for her
    expect(await pointsOf(h, DOUG)).toBe(50);
    expect(await pointsOf(h, JERALDINE)).toBe(50);
  });

  it('a duplicated Outbound Message is applied once, and both deliveries get the Ack envelope', async () => {
    expectAck(await post(h, SAMPLE));
    expectAck(await post(h, SAMPLE));
    expect(await members(h)).toHaveLength(2);
    expect(await pointsOf(h, DOUG)).toBe(50);
    expect(await pointsOf(h, JERALDINE)).toBe(50);
    expect(await inbox(h)).toHaveLength(1);
    expect(await loyaltyEvents(h, 'points.earned')).toHaveLength(2);
  });

  it('the same message arriving 5 times at once is applied once, and every one is acknowledged', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(h, SAMPLE)));
    for (const a of answers) expectAck(a);
    expect(await pointsOf(h, DOUG)).toBe(50);
    expect(await pointsOf(h, JERALDINE)).toBe(50);
    expect(await loyaltyEvents(h, 'points.earned')).toHaveLength(2);
  });

  it('a resend that regroups the notifications applies nothing twice and is acknowledged', async () => {
    expectAck(await post(h, SAMPLE));
    // Doug's notification alone, then with a new third one.
    const dougOnly = SAMPLE.replace(/<Notification>\s*<Id>04l1I000000fztEQAQ<\/Id>[\s\S]*?<\/Notification>\s*/, '');
    expectAck(await post(h, dougOnly));
    const withReview = dougOnly.replace(
      '</notifications>',
      '<Notification><Id>04l1I000000fzuAQAQ</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">' +
        '<sf:Id>0031I0000081tb0QAA</sf:Id><sf:Loyalty_Activity__c>review.posted</sf:Loyalty_Activity__c></sObject></Notification></notifications>',
    );
    expectAck(await post(h, withReview));
    expect(await pointsOf(h, DOUG)).toBe(50 + 25);
    expect(await pointsOf(h, JERALDINE)).toBe(50);
  });

  it('awards the activity a Contact field names, once per notification', async () => {
    const xml = message('04l1I000000fzvBQAQ', { Id: '0031I0000081tb0QAA', Email: 'drb24@cornell.edu', Loyalty_Activity__c: 'newsletter.subscribed' });
    expectAck(await post(h, xml));
    expectAck(await post(h, xml));
    expect(await pointsOf(h, DOUG)).toBe(20); // enrolled by the activity: no customer.created, no welcome bonus
    const earned = await loyaltyEvents(h, 'points.earned');
    expect(earned.map((e) => [e.data.points, e.data.reason])).toEqual([[20, 'newsletter.subscribed']]);
  });

  it('acknowledges a message about no person (ignored), and its resend', async () => {
    const xml = message('04l1I000000fzwCQAQ', { Id: '0065g00000XyZaBAAV', Amount: '100' }, 'Opportunity');
    expectAck(await post(h, xml));
    expectAck(await post(h, xml));
    expect((await inbox(h)).map((r) => r.status)).toEqual(['ignored']);
    expect(await members(h)).toEqual([]);
  });

  it('answers a SOAP fault (no Ack) to a message it cannot use, and keeps it once as rejected however often it comes', async () => {
    const xml = message('04l1I000000fzxDQAQ', { Email: 'no-id@shop.example' });
    for (let resend = 0; resend < 2; resend++) {
      const answer = await post(h, xml);
      expect(answer.status).toBe(500);
      expect(answer.text).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(answer.text).toContain('the record id is missing'); // what the admin reads in Setup → Outbound Messages
      expect(answer.text).not.toContain('<Ack>');
    }
    expect((await inbox(h)).map((r) => r.status)).toEqual(['rejected']);
    expect(await loyaltyEvents(h, 'webhook.rejected')).toHaveLength(1);
    expect(await members(h)).toEqual([]);
  });

  describe('refuses what does not come from the org with the secret: 401, nothing written', () => {
    it.each([
      ['another OrganizationId', SAMPLE.replace('012345678901234', '00D5g000004XyZq'), `?secret=${SECRET}`, /organization 00D5g000004XyZq/],
      ['a wrong secret', SAMPLE, '?secret=wrong-secret', /does not match SALESFORCE_INBOUND_SECRET/],
      ['no secret', SAMPLE, '', /missing \?secret=/],
    ])('%s', async (_what, xml, query, reason) => {
      const answer = await post(h, xml, query);
      expect(answer.status).toBe(401);
      expect(answer.contentType).toContain('application/problem+json');
      expect((JSON.parse(answer.text) as { detail: string }).detail).toMatch(reason);
      await expectOnlySignatureAlert(h, 'salesforce');
    });
  });
});

describe('POST /webhooks/salesforce — JSON callouts', () => {
  const h = hubHarness({ connectors: [salesforce], env });
  const contact = { id: '0031I0000081tb0', email: 'drb24@cornell.edu', firstName: 'Doug', lastName: 'Bunting' };

  it('awards a named activity once per callout id, to the member the Outbound Message enrolled', async () => {
    expectAck(await post(h, SAMPLE));
    const body = { id: 'a0B5g00000Rev001', type: 'activity', name: 'review.posted', contact };
    const first = await callout(h, body);
    expect(first).toMatchObject({ status: 200, body: { status: 'accepted', eventId: 'salesforce:callout:a0B5g00000Rev001' } });
    expect(await callout(h, body)).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    // The 15-character id of the callout is the same record as the message's 18-character one.
    expect(await pointsOf(h, DOUG)).toBe(50 + 25);
    expect(await members(h)).toHaveLength(2);
  });

  it('customer.created by callout is the same fact as by Outbound Message: one welcome bonus', async () => {
    expect(await callout(h, { id: 'c-1', type: 'customer.created', contact })).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expectAck(await post(h, SAMPLE));
    const member = (await memberByAlias(h, DOUG))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 50, lifetimeEarned: 50 });
  });

  it('refuses a callout without the bearer secret: 401, nothing written', async () => {
    const res = await callout(h, { id: 'x', type: 'activity', name: 'review.posted', contact }, 'Bearer guessed');
    expect(res.status).toBe(401);
    await expectOnlySignatureAlert(h, 'salesforce');
  });

  it('answers 400 naming the field of a callout it cannot use', async () => {
    const res = await callout(h, { id: 'x', type: 'activity', contact });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/name' })]);
  });
});

describe('POST /webhooks/salesforce — not configured', () => {
  const h = hubHarness({ connectors: [salesforce], env: { SALESFORCE_INBOUND_SECRET: SECRET } });

  it('answers 404 naming the missing variables', async () => {
    const answer = await post(h, SAMPLE);
    expect(answer.status).toBe(404);
    expect(answer.text).toContain('SALESFORCE_ORGANIZATION_ID');
    expect(answer.text).toContain('SALESFORCE_PASSWORD');
  });
});
