/**
 * Notifications through a whole hub: a mapping file in a folder, the real SendGrid and Slack
 * adapters, msw standing in for their APIs. A mapping fires exactly when its condition holds, no
 * e-mail reaches a member without consent, and support can see and re-send dead letters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sendgrid from '../../connectors/sendgrid/index.js';
import slack from '../../connectors/slack/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const mappingsDir = mkdtempSync(join(tmpdir(), 'loyalty-hub-mappings-'));
writeFileSync(
  join(mappingsDir, 'big-earn-email.yaml'),
  `name: big-earn-email
on: points.earned
when: points >= 100
send:
  adapter: sendgrid
  subject: "You earned {{ points }} points"
  html: "<p>Hi {{ member.firstName }}, your balance is {{ balance.available }}.</p>"
`,
);
writeFileSync(
  join(mappingsDir, 'review-slack.yaml'),
  `name: review-slack
on: points.earned
when: reason == 'review.posted'
send:
  adapter: slack
  channel: "#reviews"
  text: "{{ member.email }} got {{ points }} points for a review"
`,
);

writeFileSync(
  join(mappingsDir, 'phone-slack.yaml'),
  `name: phone-slack
on: points.earned
when: reason == 'phone.check'
send:
  adapter: slack
  channel: "#support"
  text: "{{ member.phone }}"
`,
);

const server = setupServer();
const mails: { to: string; subject: string; html: string }[] = [];
const slackPosts: URLSearchParams[] = [];
let slackAnswer = () => HttpResponse.json({ ok: true, ts: '1.2' });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  mails.length = 0;
  slackPosts.length = 0;
  slackAnswer = () => HttpResponse.json({ ok: true, ts: '1.2' });
});
afterAll(() => {
  server.close();
  rmSync(mappingsDir, { recursive: true, force: true });
});
const stubs = () =>
  server.use(
    http.post('http://sendgrid.test/v3/mail/send', async ({ request }) => {
      expect(request.headers.get('authorization')).toBe('Bearer SG.test-key');
      const body = (await request.json()) as { personalizations: { to: { email: string }[] }[]; subject: string; content: { value: string }[] };
      mails.push({ to: body.personalizations[0]!.to[0]!.email, subject: body.subject, html: body.content[0]!.value });
      return new HttpResponse(null, { status: 202 });
    }),
    http.post('http://slack.test/api/chat.postMessage', async ({ request }) => {
      slackPosts.push(new URLSearchParams(await request.text()));
      return slackAnswer();
    }),
  );

describe('notifications through the hub', () => {
  const h = hubHarness({
    connectors: [sendgrid, slack],
    env: {
      LOYALTY_MAPPINGS: mappingsDir,
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_FROM: 'loyalty@shop.example',
      SENDGRID_API_URL: 'http://sendgrid.test',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: 'http://slack.test',
    },
  });

  const enroll = async (email: string, consentEmail: boolean) =>
    (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email, firstName: 'Ann', consent: { email: consentEmail } } }))).id;
  const earn = (memberId: string, id: string, points: number, name = 'purchase.bonus') =>
    h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name, id, customer: { memberId }, points } });
  const dispatch = () => h.hub.notifications.dispatcher.runOnce();

  it('fires a mapping exactly when its condition holds', async () => {
    stubs();
    const ann = await enroll('ann@example.com', true);
    await earn(ann, 'e1', 99);
    await dispatch();
    expect(mails).toEqual([]);
    await earn(ann, 'e2', 100);
    await dispatch();
    expect(mails).toEqual([{ to: 'ann@example.com', subject: 'You earned 100 points', html: '<p>Hi Ann, your balance is 199.</p>' }]);
    const metrics = await (await h.hub.app.request('/metrics')).text();
    expect(metrics).toMatch(/loyalty_hub_delivery_attempt_duration_seconds_count\{adapter="sendgrid",outcome="delivered"\} 1/);
  });

  it('sends no e-mail to a member without e-mail consent, and records why', async () => {
    stubs();
    const bo = await enroll('bo@example.com', false);
    await earn(bo, 'e1', 500);
    await dispatch();
    expect(mails).toEqual([]);
    const list = await json<{ data: { status: string; adapter: string; lastError: string }[] }>(await h.call('GET', '/v1/deliveries', { scope: 'read' }));
    expect(list.data).toEqual([expect.objectContaining({ adapter: 'sendgrid', status: 'skipped', lastError: expect.stringMatching(/consent/) })]);
  });

  it('lists a dead letter with its attempts and sends it again on request', async () => {
    stubs();
    slackAnswer = () => HttpResponse.json({ ok: false, error: 'channel_not_found' });
    const cy = await enroll('cy@example.com', true);
    await earn(cy, 'r1', 25, 'review.posted');
    await dispatch();
    const dead = await json<{ data: { id: string; status: string }[] }>(await h.call('GET', '/v1/deliveries?status=dead', { scope: 'read' }));
    expect(dead.data).toHaveLength(1);
    const id = dead.data[0]!.id;
    const detail = await json<{ history: { outcome: string; statusCode: number }[] }>(await h.call('GET', `/v1/deliveries/${id}`, { scope: 'read' }));
    expect(detail.history).toEqual([expect.objectContaining({ outcome: 'permanent', statusCode: 200 })]);

    slackAnswer = () => HttpResponse.json({ ok: true, ts: '9.9' });
    expect((await h.call('POST', `/v1/deliveries/${id}/retry`, { scope: 'write' })).status).toBe(403);
    const retried = await h.call('POST', `/v1/deliveries/${id}/retry`);
    expect(retried.status).toBe(200);
    await dispatch();
    expect(await json(await h.call('GET', `/v1/deliveries/${id}`))).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(slackPosts.map((p) => p.get('text'))).toEqual(['cy@example.com got 25 points for a review', 'cy@example.com got 25 points for a review']);
    expect((await h.call('POST', `/v1/deliveries/${id}/retry`)).status).toBe(409);
  });

  it('sends nothing to an erased member and keeps no copy of their address', async () => {
    stubs();
    const dee = await enroll('dee@example.com', true);
    await earn(dee, 'e1', 300);
    await h.hub.notifications.dispatcher.route(); // the message is rendered and queued …
    expect((await h.call('DELETE', `/v1/members/${dee}`)).status).toBe(200); // … then the member is erased
    await dispatch();
    expect(mails).toEqual([]);
    const { deliveries, loyaltyEvents } = tablesOf(h.hub.store.db);
    const rows = await h.hub.store.db.select().from(deliveries);
    expect(rows).toEqual([expect.objectContaining({ status: 'skipped', lastError: 'member erased' })]);
    const everything = JSON.stringify([rows, await h.hub.store.db.select().from(loyaltyEvents)]);
    expect(everything).not.toContain('dee@example.com');
  });

  it('records a message its template could not build as a dead letter, never drops it', async () => {
    stubs();
    const ed = await enroll('ed@example.com', true); // no phone: the Slack text renders empty
    await earn(ed, 'p1', 5, 'phone.check');
    await dispatch();
    await dispatch();
    expect(slackPosts).toEqual([]);
    const dead = await json<{ data: { route: string; status: string; lastError: string }[] }>(await h.call('GET', '/v1/deliveries?status=dead', { scope: 'read' }));
    expect(dead.data).toEqual([expect.objectContaining({ route: 'mapping:phone-slack#0', lastError: expect.stringMatching(/^options: text/) })]);
    const { loyaltyEvents } = tablesOf(h.hub.store.db);
    const failed = await h.hub.store.db.select().from(loyaltyEvents).where(eq(loyaltyEvents.type, 'delivery.failed'));
    expect(failed).toHaveLength(1);
  });
});
