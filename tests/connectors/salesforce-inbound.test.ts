/**
 * The Salesforce inbound handler on its own: Salesforce's own captured Outbound Message
 * (tests/fixtures/platform-samples/salesforce) and variations of it, JSON callouts, and what each
 * is answered. The whole path through the hub is tests/inbound/salesforce-webhook.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import salesforce from '../../connectors/salesforce/index.js';
import { toId18 } from '../../connectors/salesforce/ids.js';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest } from '../../core/connectors/definition.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/platform-samples/salesforce/${name}`, import.meta.url), 'utf8');
const SAMPLE = fixture('outbound_message_contact_2_notifications.xml');
const ACK = fixture('outbound_message_ack_response.xml');

const SECRET = 'sf-inbound-secret-3f9a0c2e';
const ORG = '012345678901234'; // the sample's OrganizationId
const env = { SALESFORCE_INBOUND_SECRET: SECRET, SALESFORCE_ORGANIZATION_ID: ORG, SALESFORCE_USERNAME: 'int@acme.test', SALESFORCE_PASSWORD: 'pw' };
const URL_WITH_SECRET = `https://hub.example.com/webhooks/salesforce?secret=${SECRET}`;

function handler(e: Record<string, string> = env): InboundHandler {
  return salesforce.createInbound(e);
}

function request(body: string, init: { url?: string; headers?: Record<string, string> } = {}): InboundRequest {
  return {
    method: 'POST',
    url: init.url ?? URL_WITH_SECRET,
    headers: new Headers(init.headers ?? { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }),
    rawBody: new TextEncoder().encode(body),
    body,
  };
}

function callout(body: unknown, authorization: string | null = `Bearer ${SECRET}`): InboundRequest {
  return request(JSON.stringify(body), { headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } });
}

/** The sample with only its second notification (one <Notification> element, not a list). */
const SINGLE = SAMPLE.replace(/<Notification>\s*<Id>04l1I000000fztEQAQ<\/Id>[\s\S]*?<\/Notification>\s*/, '');

/** One notification of `type` with these fields (sf: prefixed), in the sample's envelope. */
function message(type: string, fields: Record<string, string>, notificationId = '04l1I000000fzzZQAQ'): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<sf:${k}>${v}</sf:${k}>`)
    .join('');
  return SAMPLE.replace(
    /<Notification>[\s\S]*<\/Notification>/,
    `<Notification><Id>${notificationId}</Id><sObject xsi:type="sf:${type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${body}</sObject></Notification>`,
  );
}

async function events(h: InboundHandler, req: InboundRequest) {
  const result = await h.normalize(req);
  if (result.status !== 'events') throw new Error(`expected events, got ${result.status}: ${result.reason}`);
  return result.events;
}

describe('Salesforce ids', () => {
  it('turns a 15-character id into its 18-character form, as Salesforce does', () => {
    expect(toId18('0031I0000081tbP')).toBe('0031I0000081tbPQAQ'); // the sample's first Contact
    expect(toId18('0031I0000081tb0')).toBe('0031I0000081tb0QAA');
    expect(toId18('0031I0000081tbPQAQ')).toBe('0031I0000081tbPQAQ');
    expect(toId18('not an id')).toBeUndefined();
  });
});

describe('Salesforce connector configuration', () => {
  it('is disabled, naming what is missing, until both directions are configured', () => {
    expect(connectorStatus(salesforce, {})).toMatchObject({
      enabled: false,
      missing: ['SALESFORCE_INBOUND_SECRET', 'SALESFORCE_ORGANIZATION_ID', 'SALESFORCE_USERNAME', 'SALESFORCE_PASSWORD'],
    });
    expect(connectorStatus(salesforce, env)).toMatchObject({ enabled: true, missing: [] });
  });
});

describe('Outbound Messages', () => {
  it('verifies the sample with the URL secret and the OrganizationId, and makes one trigger per notification', async () => {
    const h = handler();
    const req = request(SAMPLE);
    expect(await h.verify(req)).toEqual({ ok: true });
    expect(h.topic(req)).toBe('outbound-message:Contact');
    expect(await events(h, req)).toEqual([
      {
        type: 'customer.created',
        id: 'salesforce:customer:0031I0000081tbPQAQ:created',
        source: 'salesforce',
        occurredAt: Date.parse('2017-12-11T21:49:24.000Z'),
        customer: { platformId: '0031I0000081tbPQAQ', firstName: 'Jeraldine', lastName: 'Black' },
        attributes: { sobjectType: 'Contact' },
      },
      {
        type: 'customer.created',
        id: 'salesforce:customer:0031I0000081tb0QAA:created',
        source: 'salesforce',
        occurredAt: Date.parse('2017-12-11T21:44:55.000Z'),
        customer: { platformId: '0031I0000081tb0QAA', email: 'drb24@cornell.edu', firstName: 'Doug', lastName: 'Bunting' },
        attributes: { sobjectType: 'Contact' },
      },
    ]);
  });

  it('knows a message by its notification ids, whatever their order', () => {
    const h = handler();
    const id = h.deliveryId(request(SAMPLE));
    expect(id).toMatch(/^notifications:[0-9a-f]{64}$/);
    const swapped = SAMPLE.replace('04l1I000000fztEQAQ', 'TMP').replace('04l1I000000fzt9QAA', '04l1I000000fztEQAQ').replace('TMP', '04l1I000000fzt9QAA');
    expect(h.deliveryId(request(swapped))).toBe(id);
    expect(h.deliveryId(request(SINGLE))).toBe('notification:04l1I000000fzt9QAA');
  });

  it('reads a message with a single Notification (one element, not a list)', async () => {
    const list = await events(handler(), request(SINGLE));
    expect(list.map((e) => e.id)).toEqual(['salesforce:customer:0031I0000081tb0QAA:created']);
  });

  it('reads other namespace prefixes, a BOM and xsi:nil fields', async () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>' +
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<env:Body><out:notifications xmlns:out="http://soap.sforce.com/2005/09/outbound">' +
      `<out:OrganizationId>${toId18(ORG)}</out:OrganizationId>` +
      '<out:Notification><out:Id>04l000000000001AAA</out:Id>' +
      '<out:sObject xsi:type="ns2:Lead" xmlns:ns2="urn:sobject.enterprise.soap.sforce.com">' +
      '<ns2:Id>00Q5g00000AbCdEFGH</ns2:Id><ns2:Email>lee@shop.example</ns2:Email><ns2:FirstName xsi:nil="true"/>' +
      '<ns2:LastName>O&apos;Neil &amp; Co</ns2:LastName><ns2:HasOptedOutOfEmail>true</ns2:HasOptedOutOfEmail>' +
      '</out:sObject></out:Notification></out:notifications></env:Body></env:Envelope>';
    const h = handler();
    const req = request(xml);
    // An 18-character OrganizationId matches the 15-character one configured.
    expect(await h.verify(req)).toEqual({ ok: true });
    const [event] = await events(h, req);
    expect(event).toMatchObject({
      type: 'customer.created',
      id: 'salesforce:customer:00Q5g00000AbCdEFGH:created',
      customer: { platformId: '00Q5g00000AbCdEFGH', email: 'lee@shop.example', lastName: "O'Neil & Co", consentEmail: false },
      attributes: { sobjectType: 'Lead' },
    });
    expect(event!.customer).not.toHaveProperty('firstName');
  });

  it('makes an activity of a filled Loyalty_Activity__c, keyed by the notification', async () => {
    const xml = message('Contact', { Id: '0031I0000081tb0QAA', Email: 'drb24@cornell.edu', Loyalty_Activity__c: 'Review.Posted', LastModifiedDate: '2025-03-01T10:00:00.000Z' });
    expect(await events(handler(), request(xml))).toEqual([
      expect.objectContaining({ type: 'activity', name: 'review.posted', id: 'salesforce:notification:04l1I000000fzzZQAQ', occurredAt: Date.parse('2025-03-01T10:00:00.000Z') }),
    ]);
    // Another field, when SALESFORCE_ACTIVITY_FIELD says so; the default one is then an ordinary field.
    const custom = handler({ ...env, SALESFORCE_ACTIVITY_FIELD: 'Award__c' });
    const named = message('Contact', { Id: '0031I0000081tb0QAA', Award__c: 'newsletter.subscribed', Loyalty_Activity__c: 'review.posted' });
    expect(await events(custom, request(named))).toMatchObject([{ type: 'activity', name: 'newsletter.subscribed' }]);
  });

  it('tells an edited record from a new one by LastModifiedDate', async () => {
    const edited = message('Contact', { Id: '0031I0000081tb0QAA', CreatedDate: '2025-01-01T00:00:00.000Z', LastModifiedDate: '2025-02-01T00:00:00.000Z' });
    expect(await events(handler(), request(edited))).toMatchObject([{ type: 'customer.updated', id: 'salesforce:notification:04l1I000000fzzZQAQ' }]);
    const fresh = message('Contact', { Id: '0031I0000081tb0QAA', CreatedDate: '2025-01-01T00:00:00.000Z', LastModifiedDate: '2025-01-01T00:00:00.000Z' });
    expect(await events(handler(), request(fresh))).toMatchObject([{ type: 'customer.created', id: 'salesforce:customer:0031I0000081tb0QAA:created' }]);
  });

  it('ignores notifications about objects that are not people', async () => {
    const result = await handler().normalize(request(message('Opportunity', { Id: '0065g00000XyZaBAAV', Amount: '100' })));
    expect(result).toEqual({ status: 'ignored', reason: expect.stringContaining('Opportunity, not a Contact or Lead') });
  });

  it.each([
    ['a notification whose record has no Id', message('Contact', { Email: 'a@b.test' }), '/notifications/Notification/0/sObject/Id'],
    ['a record id that is not one', message('Contact', { Id: 'nope' }), '/notifications/Notification/0/sObject/Id'],
    ['an activity name with spaces', message('Contact', { Id: '0031I0000081tb0QAA', Loyalty_Activity__c: 'Wrote a review' }), '/notifications/Notification/0/sObject/Loyalty_Activity__c'],
  ])('refuses %s, naming where', async (_what, xml, pointer) => {
    const h = handler();
    const req = request(xml);
    expect(await h.verify(req)).toEqual({ ok: true });
    const error = await h.normalize(req).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboundPayloadError);
    expect((error as InboundPayloadError).errors.map((e) => e.pointer)).toEqual([pointer]);
  });

  describe('authentication', () => {
    it.each([
      ['without ?secret=', request(SAMPLE, { url: 'https://hub.example.com/webhooks/salesforce' }), /missing \?secret=/],
      ['with another secret', request(SAMPLE, { url: 'https://hub.example.com/webhooks/salesforce?secret=guess' }), /does not match SALESFORCE_INBOUND_SECRET/],
      ['from another org', request(SAMPLE.replace('012345678901234', '00D000000000001')), /organization 00D000000000001, not SALESFORCE_ORGANIZATION_ID/],
      ['without OrganizationId', request(SAMPLE.replace(/<OrganizationId>.*<\/OrganizationId>/, '')), /no OrganizationId/],
      ['not well-formed', request(SAMPLE.replace('</notifications>', '')), /not a Salesforce Outbound Message/],
      ['with a DOCTYPE', request(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${SAMPLE.replace(/^<\?xml[^>]*>/, '')}`), /DOCTYPE/],
    ])('refuses a message %s', async (_what, req, reason) => {
      const verified = await handler().verify(req);
      expect(verified.ok).toBe(false);
      expect(!verified.ok && verified.reason).toMatch(reason);
    });

    it('does not take the secret from a header for an Outbound Message', async () => {
      const req = request(SAMPLE, { url: 'https://hub.example.com/webhooks/salesforce', headers: { 'content-type': 'text/xml', authorization: `Bearer ${SECRET}` } });
      expect((await handler().verify(req)).ok).toBe(false);
    });
  });

  describe('answers', () => {
    const h = handler();
    const req = request(SAMPLE);

    it.each(['accepted', 'duplicate', 'ignored'])('%s → 200 with the Ack envelope, byte for byte', async (status) => {
      const res = h.acknowledge!(req, { status })!;
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
      expect(await res.text()).toBe(ACK);
    });

    it('rejected → 500 SOAP Client fault (no Ack: Salesforce sends it again)', async () => {
      const res = h.acknowledge!(req, { status: 'rejected', detail: 'notification 1 has no <Id>' } as { status: string })!;
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(text).toContain('notification 1 has no &lt;Id&gt;');
      expect(text).not.toContain('<Ack>');
    });

    it('failed → 500 SOAP Server fault', async () => {
      const res = h.acknowledge!(req, { status: 'failed' })!;
      expect(res.status).toBe(500);
      expect(await res.text()).toContain('<faultcode>soapenv:Server</faultcode>');
    });

    it('leaves callouts to the hub\'s JSON answer', () => {
      expect(h.acknowledge!(callout({ id: 'x' }), { status: 'accepted' })).toBeUndefined();
    });
  });
});

describe('JSON callouts', () => {
  const contact = { id: '0031I0000081tb0', email: 'drb24@cornell.edu', firstName: 'Doug', lastName: 'Bunting' };

  it('verifies Authorization: Bearer <secret> and makes an activity keyed by the callout id', async () => {
    const h = handler();
    const req = callout({ id: 'a0B5g00000Review1', type: 'activity', name: 'review.posted', contact, occurredAt: '2025-03-01T10:00:00Z' });
    expect(await h.verify(req)).toEqual({ ok: true });
    expect(h.deliveryId(req)).toBe('callout:a0B5g00000Review1');
    expect(h.topic(req)).toBe('callout:activity');
    expect(await events(h, req)).toEqual([
      {
        type: 'activity',
        name: 'review.posted',
        id: 'salesforce:callout:a0B5g00000Review1',
        source: 'salesforce',
        occurredAt: Date.parse('2025-03-01T10:00:00Z'),
        // The 15-character id is kept in its 18-character form: one alias per record.
        customer: { platformId: '0031I0000081tb0QAA', email: 'drb24@cornell.edu', firstName: 'Doug', lastName: 'Bunting' },
      },
    ]);
  });

  it('keys customer.created by the record, like an Outbound Message about it', async () => {
    const [event] = await events(handler(), callout({ id: 'c1', type: 'customer.created', contact: { ...contact, email: null } }));
    expect(event).toMatchObject({ type: 'customer.created', id: 'salesforce:customer:0031I0000081tb0QAA:created', customer: { platformId: '0031I0000081tb0QAA' } });
    expect(event!.customer).not.toHaveProperty('email');
  });

  it.each([
    ['without Authorization', null, /missing Authorization: Bearer/],
    ['with another bearer', 'Bearer not-the-secret', /does not match/],
    ['with the secret as Basic', `Basic ${SECRET}`, /missing Authorization: Bearer/],
  ])('refuses a callout %s', async (_what, authorization, reason) => {
    const verified = await handler().verify(callout({ id: 'x', type: 'activity', name: 'review.posted', contact }, authorization));
    expect(!verified.ok && verified.reason).toMatch(reason);
  });

  it.each([
    ['an activity without its name', { id: 'x', type: 'activity', contact }, ['/name']],
    ['customer.created without the record id', { id: 'x', type: 'customer.created', contact: { email: 'a@b.test' } }, ['/contact/id']],
    ['an unknown type', { id: 'x', type: 'order.paid', contact }, ['/type']],
    ['no id', { type: 'activity', name: 'review.posted', contact }, ['/id']],
  ])('refuses %s, naming the field', async (_what, body, pointers) => {
    const error = await handler().normalize(callout(body)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboundPayloadError);
    expect((error as InboundPayloadError).errors.map((e) => e.pointer)).toEqual(pointers);
  });
});
