import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { adapterDescriptors, loadMappingFile, loadMappings, mappingActionsFor, sampleEvent, type AdapterDescriptors, type Mapping } from '../../core/mappings/index.js';
import type { BalanceSnapshot, LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import type { MemberSnapshot } from '../../core/outbox/routes.js';

/**
 * The mapping files shipped in `mappings/`, loaded the way `mappings check` loads them: with the
 * real connector definitions and no provider secrets. They must load without a problem, and
 * the ones with a condition must fire exactly when it holds.
 */
const SHIPPED = join(import.meta.dirname, '../../mappings');

/** What the dispatcher puts in scope as `member` (not the sample's whole member record). */
const member: MemberSnapshot = {
  id: 'mem_shipped',
  email: 'ann.lee@example.com',
  phone: '+14155550123',
  consentEmail: true,
  consentSms: true,
  firstName: 'Ann',
  lastName: 'Lee',
};

let mappings: Mapping[];
let adapters: AdapterDescriptors;
beforeAll(async () => {
  // An empty environment: what a CI job without secrets sees. Placeholders stand in for them.
  const described = adapterDescriptors(await discoverConnectors(), {});
  expect(described.unavailable).toEqual([]);
  adapters = described.adapters;
  const loaded = loadMappings(SHIPPED, adapters);
  expect(loaded.problems).toEqual([]);
  mappings = loaded.mappings;
});

function only(name: string): Mapping[] {
  const found = mappings.filter((m) => m.name === name);
  expect(found).toHaveLength(1);
  return found;
}

/** The sample points.earned event with this earn's points, reason and resulting balance. */
function earn(points: number, available: number, reason: string | null = null): LoyaltyEvent {
  const sample = sampleEvent('points.earned');
  const balance = { ...(sample.data.balance as BalanceSnapshot), available };
  return { ...sample, data: { ...sample.data, points, reason, balance } };
}

describe('shipped mappings', () => {
  it('load with the real adapters, with no problem, each in the file of its name (the Square mirror\'s five share one, the HubSpot sync\'s eight another)', () => {
    expect(Object.fromEntries(mappings.map((m) => [m.name, m.on]))).toEqual({
      'activecampaign-loyalty-sync-points-earned': 'points.earned',
      'activecampaign-loyalty-sync-points-activated': 'points.activated',
      'activecampaign-loyalty-sync-points-spent': 'points.spent',
      'activecampaign-loyalty-sync-points-reversed': 'points.reversed',
      'activecampaign-loyalty-sync-points-expired': 'points.expired',
      'activecampaign-loyalty-sync-threshold-reached': 'points.threshold_reached',
      'activecampaign-loyalty-sync-tier-upgraded': 'tier.upgraded',
      'activecampaign-loyalty-sync-tier-downgraded': 'tier.downgraded',
      'activecampaign-loyalty-sync-points-expiring': 'points.expiring',
      'airtable-member-sync-points-earned': 'points.earned',
      'airtable-member-sync-points-activated': 'points.activated',
      'airtable-member-sync-points-spent': 'points.spent',
      'airtable-member-sync-points-reversed': 'points.reversed',
      'airtable-member-sync-points-expired': 'points.expired',
      'airtable-member-sync-tier-upgraded': 'tier.upgraded',
      'airtable-member-sync-tier-downgraded': 'tier.downgraded',
      'birthday-sms': 'points.earned',
      'delivery-failed-zendesk-slack': 'delivery.failed.digest',
      'dynamics-contact-sync-points-earned': 'points.earned',
      'dynamics-contact-sync-points-activated': 'points.activated',
      'dynamics-contact-sync-points-spent': 'points.spent',
      'dynamics-contact-sync-points-reversed': 'points.reversed',
      'dynamics-contact-sync-points-expired': 'points.expired',
      'dynamics-contact-sync-tier-upgraded': 'tier.upgraded',
      'dynamics-contact-sync-tier-downgraded': 'tier.downgraded',
      'fraud-flagged-slack-zendesk': 'fraud.flagged',
      'freshdesk-delivery-failed': 'delivery.failed.digest',
      'freshdesk-fraud-flagged': 'fraud.flagged',
      'freshdesk-points-reversed': 'points.reversed',
      'hubspot-contact-sync-points-earned': 'points.earned',
      'hubspot-contact-sync-points-activated': 'points.activated',
      'hubspot-contact-sync-points-spent': 'points.spent',
      'hubspot-contact-sync-points-reversed': 'points.reversed',
      'hubspot-contact-sync-points-expired': 'points.expired',
      'hubspot-contact-sync-tier-upgraded': 'tier.upgraded',
      'hubspot-contact-sync-tier-downgraded': 'tier.downgraded',
      'hubspot-contact-sync-points-expiring': 'points.expiring',
      'intercom-loyalty-events-points-earned': 'points.earned',
      'intercom-loyalty-events-tier-upgraded': 'tier.upgraded',
      'klaviyo-loyalty-events-points-earned': 'points.earned',
      'klaviyo-loyalty-events-points-spent': 'points.spent',
      'klaviyo-loyalty-events-points-reversed': 'points.reversed',
      'klaviyo-loyalty-events-points-expired': 'points.expired',
      'klaviyo-loyalty-events-points-expiring': 'points.expiring',
      'klaviyo-loyalty-events-tier-upgraded': 'tier.upgraded',
      'klaviyo-loyalty-events-tier-downgraded': 'tier.downgraded',
      'klaviyo-loyalty-events-reward-redeemed': 'reward.redeemed',
      'klaviyo-profile-sync-points-earned': 'points.earned',
      'klaviyo-profile-sync-points-activated': 'points.activated',
      'klaviyo-profile-sync-points-spent': 'points.spent',
      'klaviyo-profile-sync-points-reversed': 'points.reversed',
      'klaviyo-profile-sync-points-expired': 'points.expired',
      'klaviyo-profile-sync-points-expiring': 'points.expiring',
      'klaviyo-profile-sync-tier-upgraded': 'tier.upgraded',
      'klaviyo-profile-sync-tier-downgraded': 'tier.downgraded',
      'large-redemption-slack': 'reward.redeemed',
      'loyaltylion-side-by-side-earned': 'points.earned',
      'loyaltylion-side-by-side-activated': 'points.activated',
      'loyaltylion-side-by-side-spent': 'points.spent',
      'loyaltylion-side-by-side-expired': 'points.expired',
      'loyaltylion-side-by-side-reversed': 'points.reversed',
      'mailchimp-loyalty-sync-points-earned': 'points.earned',
      'mailchimp-loyalty-sync-points-threshold': 'points.threshold_reached',
      'mailchimp-loyalty-sync-points-activated': 'points.activated',
      'mailchimp-loyalty-sync-points-spent': 'points.spent',
      'mailchimp-loyalty-sync-points-reversed': 'points.reversed',
      'mailchimp-loyalty-sync-points-expired': 'points.expired',
      'mailchimp-loyalty-sync-tier-upgraded': 'tier.upgraded',
      'mailchimp-loyalty-sync-tier-downgraded': 'tier.downgraded',
      'points-earned-email': 'points.earned',
      'points-expiring-email': 'points.expiring',
      'points-threshold-1000-email': 'points.threshold_reached',
      'salesforce-contact-sync-points-earned': 'points.earned',
      'salesforce-contact-sync-points-activated': 'points.activated',
      'salesforce-contact-sync-points-spent': 'points.spent',
      'salesforce-contact-sync-points-reversed': 'points.reversed',
      'salesforce-contact-sync-points-expired': 'points.expired',
      'salesforce-contact-sync-tier-upgraded': 'tier.upgraded',
      'salesforce-contact-sync-tier-downgraded': 'tier.downgraded',
      'sfmc-journey-entry-points-earned': 'points.earned',
      'sfmc-journey-entry-tier-upgraded': 'tier.upgraded',
      'sheets-loyalty-log-points-earned': 'points.earned',
      'sheets-loyalty-log-reward-redeemed': 'reward.redeemed',
      'sheets-loyalty-log-tier-upgraded': 'tier.upgraded',
      'sheets-loyalty-log-tier-downgraded': 'tier.downgraded',
      'square-loyalty-mirror-earned': 'points.earned',
      'square-loyalty-mirror-pending': 'points.pending',
      'square-loyalty-mirror-spent': 'points.spent',
      'square-loyalty-mirror-expired': 'points.expired',
      'square-loyalty-mirror-reversed': 'points.reversed',
      'tier-upgraded-email-sms': 'tier.upgraded',
      'zoho-contact-sync-points-earned': 'points.earned',
      'zoho-contact-sync-points-activated': 'points.activated',
      'zoho-contact-sync-points-spent': 'points.spent',
      'zoho-contact-sync-points-reversed': 'points.reversed',
      'zoho-contact-sync-points-expired': 'points.expired',
      'zoho-contact-sync-tier-upgraded': 'tier.upgraded',
      'zoho-contact-sync-tier-downgraded': 'tier.downgraded',
    });
    // A file holding several mappings names them after itself: square-loyalty-mirror.yaml → square-loyalty-mirror-earned, …
    for (const m of mappings) {
      expect(dirname(m.file)).toBe(SHIPPED);
      const base = basename(m.file, '.yaml');
      expect(m.name === base || m.name.startsWith(`${base}-`), `${m.name} in ${m.file}`).toBe(true);
    }
    const adapters = Object.fromEntries(mappings.map((m) => [m.name, m.actions.map((a) => a.adapter.name)]));
    expect(adapters).toEqual({
      'activecampaign-loyalty-sync-points-earned': ['activecampaign'],
      'activecampaign-loyalty-sync-points-activated': ['activecampaign'],
      'activecampaign-loyalty-sync-points-spent': ['activecampaign'],
      'activecampaign-loyalty-sync-points-reversed': ['activecampaign'],
      'activecampaign-loyalty-sync-points-expired': ['activecampaign'],
      'activecampaign-loyalty-sync-threshold-reached': ['activecampaign'],
      'activecampaign-loyalty-sync-tier-upgraded': ['activecampaign'],
      'activecampaign-loyalty-sync-tier-downgraded': ['activecampaign'],
      'activecampaign-loyalty-sync-points-expiring': ['activecampaign'],
      'airtable-member-sync-points-earned': ['airtable'],
      'airtable-member-sync-points-activated': ['airtable'],
      'airtable-member-sync-points-spent': ['airtable'],
      'airtable-member-sync-points-reversed': ['airtable'],
      'airtable-member-sync-points-expired': ['airtable'],
      'airtable-member-sync-tier-upgraded': ['airtable'],
      'airtable-member-sync-tier-downgraded': ['airtable'],
      'birthday-sms': ['twilio'],
      'delivery-failed-zendesk-slack': ['zendesk', 'slack'],
      'dynamics-contact-sync-points-earned': ['dynamics'],
      'dynamics-contact-sync-points-activated': ['dynamics'],
      'dynamics-contact-sync-points-spent': ['dynamics'],
      'dynamics-contact-sync-points-reversed': ['dynamics'],
      'dynamics-contact-sync-points-expired': ['dynamics'],
      'dynamics-contact-sync-tier-upgraded': ['dynamics'],
      'dynamics-contact-sync-tier-downgraded': ['dynamics'],
      'fraud-flagged-slack-zendesk': ['slack', 'zendesk'],
      'freshdesk-delivery-failed': ['freshdesk'],
      'freshdesk-fraud-flagged': ['freshdesk'],
      'freshdesk-points-reversed': ['freshdesk'],
      'hubspot-contact-sync-points-earned': ['hubspot'],
      'hubspot-contact-sync-points-activated': ['hubspot'],
      'hubspot-contact-sync-points-spent': ['hubspot'],
      'hubspot-contact-sync-points-reversed': ['hubspot'],
      'hubspot-contact-sync-points-expired': ['hubspot'],
      'hubspot-contact-sync-tier-upgraded': ['hubspot'],
      'hubspot-contact-sync-tier-downgraded': ['hubspot'],
      'hubspot-contact-sync-points-expiring': ['hubspot'],
      'intercom-loyalty-events-points-earned': ['intercom'],
      'intercom-loyalty-events-tier-upgraded': ['intercom'],
      'klaviyo-loyalty-events-points-earned': ['klaviyo'],
      'klaviyo-loyalty-events-points-spent': ['klaviyo'],
      'klaviyo-loyalty-events-points-reversed': ['klaviyo'],
      'klaviyo-loyalty-events-points-expired': ['klaviyo'],
      'klaviyo-loyalty-events-points-expiring': ['klaviyo'],
      'klaviyo-loyalty-events-tier-upgraded': ['klaviyo'],
      'klaviyo-loyalty-events-tier-downgraded': ['klaviyo'],
      'klaviyo-loyalty-events-reward-redeemed': ['klaviyo'],
      'klaviyo-profile-sync-points-earned': ['klaviyo'],
      'klaviyo-profile-sync-points-activated': ['klaviyo'],
      'klaviyo-profile-sync-points-spent': ['klaviyo'],
      'klaviyo-profile-sync-points-reversed': ['klaviyo'],
      'klaviyo-profile-sync-points-expired': ['klaviyo'],
      'klaviyo-profile-sync-points-expiring': ['klaviyo'],
      'klaviyo-profile-sync-tier-upgraded': ['klaviyo'],
      'klaviyo-profile-sync-tier-downgraded': ['klaviyo'],
      'large-redemption-slack': ['slack'],
      'loyaltylion-side-by-side-earned': ['loyaltylion'],
      'loyaltylion-side-by-side-activated': ['loyaltylion'],
      'loyaltylion-side-by-side-spent': ['loyaltylion'],
      'loyaltylion-side-by-side-expired': ['loyaltylion'],
      'loyaltylion-side-by-side-reversed': ['loyaltylion'],
      'mailchimp-loyalty-sync-points-earned': ['mailchimp'],
      'mailchimp-loyalty-sync-points-threshold': ['mailchimp'],
      'mailchimp-loyalty-sync-points-activated': ['mailchimp'],
      'mailchimp-loyalty-sync-points-spent': ['mailchimp'],
      'mailchimp-loyalty-sync-points-reversed': ['mailchimp'],
      'mailchimp-loyalty-sync-points-expired': ['mailchimp'],
      'mailchimp-loyalty-sync-tier-upgraded': ['mailchimp'],
      'mailchimp-loyalty-sync-tier-downgraded': ['mailchimp'],
      'points-earned-email': ['sendgrid'],
      'points-expiring-email': ['sendgrid'],
      'points-threshold-1000-email': ['sendgrid'],
      'salesforce-contact-sync-points-earned': ['salesforce'],
      'salesforce-contact-sync-points-activated': ['salesforce'],
      'salesforce-contact-sync-points-spent': ['salesforce'],
      'salesforce-contact-sync-points-reversed': ['salesforce'],
      'salesforce-contact-sync-points-expired': ['salesforce'],
      'salesforce-contact-sync-tier-upgraded': ['salesforce'],
      'salesforce-contact-sync-tier-downgraded': ['salesforce'],
      'sfmc-journey-entry-points-earned': ['sfmc'],
      'sfmc-journey-entry-tier-upgraded': ['sfmc'],
      'sheets-loyalty-log-points-earned': ['sheets'],
      'sheets-loyalty-log-reward-redeemed': ['sheets'],
      'sheets-loyalty-log-tier-upgraded': ['sheets'],
      'sheets-loyalty-log-tier-downgraded': ['sheets'],
      'square-loyalty-mirror-earned': ['square'],
      'square-loyalty-mirror-pending': ['square'],
      'square-loyalty-mirror-spent': ['square'],
      'square-loyalty-mirror-expired': ['square'],
      'square-loyalty-mirror-reversed': ['square'],
      'tier-upgraded-email-sms': ['sendgrid', 'twilio'],
      'zoho-contact-sync-points-earned': ['zoho'],
      'zoho-contact-sync-points-activated': ['zoho'],
      'zoho-contact-sync-points-spent': ['zoho'],
      'zoho-contact-sync-points-reversed': ['zoho'],
      'zoho-contact-sync-points-expired': ['zoho'],
      'zoho-contact-sync-tier-upgraded': ['zoho'],
      'zoho-contact-sync-tier-downgraded': ['zoho'],
    });
  });

  it('threshold: fires on the hub\'s points.threshold_reached for 1,000, and on no other threshold or earn', () => {
    // When a crossing is announced (once per crossing, every path) is the core's: tests/program/threshold-reached.test.ts.
    const threshold = only('points-threshold-1000-email');
    const reached = (at: number, available: number): LoyaltyEvent => {
      const sample = sampleEvent('points.threshold_reached');
      return { ...sample, data: { ...sample.data, threshold: at, balance: { ...(sample.data.balance as BalanceSnapshot), available } } };
    };
    const fires = (event: LoyaltyEvent) => mappingActionsFor(threshold, event, { member }).length > 0;
    expect(fires(reached(1000, 1000))).toBe(true);
    expect(fires(reached(5000, 5100))).toBe(false);
    expect(fires(earn(250, 1100))).toBe(false); // an earn alone is not a crossing

    const [action] = mappingActionsFor(threshold, reached(1000, 1100), { member });
    expect(action).toMatchObject({ adapter: 'sendgrid', options: { subject: "You've reached 1,000 points!" } });
    expect(action!.options).not.toHaveProperty('to'); // to the member, under their e-mail consent
    expect(action!.options.html).toContain('<strong>1100 points</strong>');
  });

  it("birthday: fires on an earn whose reason is the 'birthday' activity, and on no other earn", () => {
    const birthday = only('birthday-sms');
    const fires = (reason: string | null) => mappingActionsFor(birthday, earn(100, 1340, reason), { member }).length > 0;
    expect(fires('birthday')).toBe(true);
    expect(fires(null)).toBe(false); // an order's earn has no reason
    expect(fires('anniversary')).toBe(false);
    expect(fires('birthday.bonus')).toBe(false);
    expect(fires('Birthday')).toBe(false); // activity names are lower-case; the comparison is exact
    // The condition is about the earn, not about the event type's other fields:
    expect(mappingActionsFor(birthday, { ...earn(100, 1340, 'birthday'), type: 'points.pending' }, { member })).toEqual([]);

    const [action] = mappingActionsFor(birthday, earn(100, 1340, 'birthday'), { member });
    expect(action).toEqual({
      mapping: 'birthday-sms',
      index: 0,
      adapter: 'twilio',
      options: { body: "Happy birthday Ann! We've added 100 points to your account; you now have 1340. Reply STOP to opt out." },
    });
  });

  it('texts fit one SMS (160 plain characters) even for a long name and a large balance', () => {
    const longName = { ...member, firstName: 'Maximiliana-Josephine' };
    const bodies = [
      ...mappingActionsFor(only('birthday-sms'), earn(100, 1_234_567, 'birthday'), { member: longName }),
      ...mappingActionsFor(only('tier-upgraded-email-sms'), sampleEvent('tier.upgraded'), { member: longName, tier: { id: 'platinum', name: 'Platinum Plus' } }),
    ]
      .filter((a) => a.adapter === 'twilio')
      .map((a) => a.options.body as string);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(body.length).toBeLessThanOrEqual(160);
      // GSM-7 basics: anything else (emoji, curly quotes) makes a 70-character UCS-2 message.
      expect(body).toMatch(/^[A-Za-z0-9 .,;:!?'()+\-@#&%/]*$/);
    }
  });

  it('a member without a first name is still greeted properly', () => {
    const anonymous = { ...member, firstName: null };
    const [sms] = mappingActionsFor(only('birthday-sms'), earn(100, 1340, 'birthday'), { member: anonymous });
    expect(sms!.options.body).toMatch(/^Happy birthday! /);
    const [mail] = mappingActionsFor(only('points-earned-email'), earn(250, 5250), { member: anonymous });
    expect(mail!.options.html).toContain('<p>Hi there,</p>');
  });

  describe('square-loyalty-mirror', () => {
    const FILE = join(SHIPPED, 'square-loyalty-mirror.yaml');
    const mirror = () => mappings.filter((m) => m.file === FILE);
    /** The shipped file with its one switch turned on, loaded like any mapping file. */
    const switchedOn = (): Mapping[] => {
      const text = readFileSync(FILE, 'utf8');
      const on = text.replace('when: &square-mirror "false"', 'when: &square-mirror "true"');
      expect(on).not.toBe(text);
      const loaded = loadMappingFile(FILE, adapters, on);
      expect(loaded.problems).toEqual([]);
      return loaded.mappings;
    };
    /** A points event of `type` with this change's fields (the sample's others kept). */
    const pointsEvent = (type: LoyaltyEvent['type'], data: Record<string, unknown>): LoyaltyEvent => {
      const sample = sampleEvent(type);
      return { ...sample, data: { ...sample.data, ...data } };
    };
    const TYPES = ['points.earned', 'points.pending', 'points.activated', 'points.spent', 'points.reversed', 'points.expired', 'points.locked', 'points.released'] as const;

    it('is off as shipped: no points event sends anything to Square', () => {
      expect(mirror()).toHaveLength(5);
      for (const type of TYPES) expect(mappingActionsFor(mirror(), sampleEvent(type), { member }), type).toEqual([]);
    });

    it('switched on by its one line, mirrors each change with its sign', () => {
      const on = switchedOn();
      const sent = (event: LoyaltyEvent) => mappingActionsFor(on, event, { member }).map((a) => ({ adapter: a.adapter, ...a.options }));

      expect(sent(pointsEvent('points.earned', { points: 250, kind: 'earn', reason: null }))).toEqual([
        { adapter: 'square', points: 250, reason: 'Loyalty Hub: points.earned' },
      ]);
      expect(sent(pointsEvent('points.earned', { points: 100, kind: 'earn', reason: 'birthday' }))).toEqual([
        { adapter: 'square', points: 100, reason: 'Loyalty Hub: points.earned (birthday)' },
      ]);
      expect(sent(pointsEvent('points.earned', { points: 750, kind: 'adjust', reason: 'Goodwill' }))).toMatchObject([{ points: 750 }]);
      // Held points count once, when held: Square has no pending points.
      expect(sent(pointsEvent('points.pending', { points: 300, kind: 'earn' }))).toMatchObject([{ points: 300 }]);
      expect(sent(pointsEvent('points.activated', { points: 300, kind: 'activate' }))).toEqual([]);
      expect(sent(pointsEvent('points.spent', { points: 500, kind: 'spend' }))).toEqual([
        { adapter: 'square', points: -500, reason: 'Loyalty Hub: points.spent', allowNegativeBalance: true },
      ]);
      expect(sent(pointsEvent('points.spent', { points: 400, kind: 'capture', lockId: 'trf_hold' }))).toMatchObject([{ points: -400 }]);
      expect(sent(pointsEvent('points.expired', { points: 120, kind: 'expire', reason: 'lot expired' }))).toEqual([
        { adapter: 'square', points: -120, reason: 'Loyalty Hub: points.expired (lot expired)', allowNegativeBalance: true },
      ]);
      // Checkout holds are not mirrored: what Square shows includes held points until they are spent.
      expect(sent(pointsEvent('points.locked', { points: 400, kind: 'lock' }))).toEqual([]);
      expect(sent(pointsEvent('points.released', { points: 400, kind: 'unlock' }))).toEqual([]);
    });

    it('switched on, takes back a refunded earn and a manual debit, and gives back a returned spend', () => {
      const on = switchedOn();
      const points = (data: Record<string, unknown>) => mappingActionsFor(on, pointsEvent('points.reversed', data), { member }).map((a) => a.options.points);
      expect(points({ points: 250, kind: 'reverse', lotId: 'lot_1', reversesId: 'trf_earn', reason: 'order refunded' })).toEqual([-250]);
      expect(points({ points: 60, kind: 'reverse', lotId: 'lot_1', reason: 'repays a refund debt' })).toEqual([-60]);
      expect(points({ points: 80, kind: 'adjust', lotId: null, reversesId: null, reason: 'correction' })).toEqual([-80]);
      expect(points({ points: 500, kind: 'reverse', lotId: null, reversesId: 'trf_spend', reason: 'redemption reversed' })).toEqual([500]);
    });
  });
});
