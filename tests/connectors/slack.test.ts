import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import slack from '../../connectors/slack/index.js';
import { slackApiUrl } from '../../connectors/slack/adapter.js';
import { slackOptions } from '../../connectors/slack/options.js';

const API = 'http://slack.test';
const POST_MESSAGE = `${API}/api/chat.postMessage`;
const env = { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: API };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: 'dlv_01HZX3K9-1',
    attempt: 1,
    member: { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'Europe/Berlin',
    now: Date.UTC(2025, 0, 15, 12),
    signal: new AbortController().signal,
    ...overrides,
  };
}

function adapter(e: Record<string, string | undefined> = env): OutboundAdapter {
  return slack.createAdapter(e);
}

interface Captured { url: string; headers: Headers; form: URLSearchParams }

/** Answers chat.postMessage with `answer` and records every request it saw. */
function postMessage(answer: () => Response, url = POST_MESSAGE): Captured[] {
  const seen: Captured[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, form: new URLSearchParams(await request.text()) });
      return answer();
    }),
  );
  return seen;
}

const okAnswer = () => HttpResponse.json({ ok: true, channel: 'C0123456789', ts: '1736942400.000100', message: { text: 'hi' } });

describe('slack adapter', () => {
  it('posts chat.postMessage with the bot token, channel, text and the idempotency key in the metadata', async () => {
    const seen = postMessage(okAnswer);
    const outcome = await adapter().send({ channel: '#loyalty-alerts', text: 'ann@example.com redeemed 6000 points for Espresso machine' }, context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '1736942400.000100' });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.url).toBe(POST_MESSAGE);
    expect(req!.headers.get('authorization')).toBe('Bearer xoxb-test-token');
    expect(req!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(req!.form)).toEqual({
      channel: '#loyalty-alerts',
      text: 'ann@example.com redeemed 6000 points for Espresso machine',
      metadata: JSON.stringify({ event_type: 'loyalty_hub_delivery', event_payload: { idempotency_key: 'dlv_01HZX3K9-1' } }),
    });
  });

  it('passes Block Kit blocks through unchanged, with text kept as the notification fallback', async () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Large redemption' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*6000* points' }, accessory: { type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'https://hub.example/m/1' } },
    ];
    const seen = postMessage(okAnswer);
    const outcome = await adapter().send({ channel: 'C0123456789', text: 'Large redemption: 6000 points', blocks }, context());

    expect(outcome.status).toBe('delivered');
    expect(JSON.parse(seen[0]!.form.get('blocks')!)).toEqual(blocks);
    expect(seen[0]!.form.get('text')).toBe('Large redemption: 6000 points');
  });

  it('sends the same idempotency key on every attempt of one delivery', async () => {
    const seen = postMessage(okAnswer);
    const a = adapter();
    await a.send({ channel: '#loyalty-alerts', text: 'hi' }, context({ attempt: 1 }));
    await a.send({ channel: '#loyalty-alerts', text: 'hi' }, context({ attempt: 2 }));
    const keys = seen.map((r) => (JSON.parse(r.form.get('metadata')!) as { event_payload: { idempotency_key: string } }).event_payload.idempotency_key);
    expect(keys).toEqual(['dlv_01HZX3K9-1', 'dlv_01HZX3K9-1']);
  });

  it('answers retry on HTTP 500 after exactly one request (the SDK does not retry by itself)', async () => {
    const seen = postMessage(() => new HttpResponse('upstream error', { status: 500 }));
    const outcome = await adapter().send({ channel: '#loyalty-alerts', text: 'hi' }, context());
    expect(outcome).toMatchObject({ status: 'retry', statusCode: 500 });
    expect(seen).toHaveLength(1);
  });

  it('answers retry with retryAfterMs 7000 on 429 Retry-After: 7, without waiting or retrying itself', async () => {
    const seen = postMessage(() => HttpResponse.json({ ok: false, error: 'ratelimited' }, { status: 429, headers: { 'Retry-After': '7' } }));
    const started = performance.now();
    const outcome = await adapter().send({ channel: '#loyalty-alerts', text: 'hi' }, context());
    expect(outcome).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000 });
    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers permanent on ok:false channel_not_found (HTTP 200)', async () => {
    postMessage(() => HttpResponse.json({ ok: false, error: 'channel_not_found' }));
    const outcome = await adapter().send({ channel: '#no-such-channel', text: 'hi' }, context());
    expect(outcome).toEqual({ status: 'permanent', statusCode: 200, error: 'slack: channel_not_found' });
  });

  it.each(['not_in_channel', 'is_archived', 'invalid_auth', 'missing_scope', 'msg_too_long'])('answers permanent on ok:false %s', async (code) => {
    postMessage(() => HttpResponse.json({ ok: false, error: code }));
    expect(await adapter().send({ channel: '#loyalty-alerts', text: 'hi' }, context())).toMatchObject({ status: 'permanent', error: `slack: ${code}` });
  });

  it('says why Slack refused the blocks', async () => {
    postMessage(() =>
      HttpResponse.json({ ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]'] } }),
    );
    const outcome = await adapter().send({ channel: '#loyalty-alerts', text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] }, context());
    expect(outcome).toEqual({
      status: 'permanent',
      statusCode: 200,
      error: 'slack: invalid_blocks ([ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text])',
    });
  });

  it.each(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'])('answers retry on ok:false %s', async (code) => {
    postMessage(() => HttpResponse.json({ ok: false, error: code }));
    expect(await adapter().send({ channel: '#loyalty-alerts', text: 'hi' }, context())).toMatchObject({ status: 'retry', error: `slack: ${code}` });
  });

  it('answers retry on a network error', async () => {
    const seen = postMessage(() => HttpResponse.error());
    const outcome = await adapter().send({ channel: '#loyalty-alerts', text: 'hi' }, context());
    expect(outcome).toMatchObject({ status: 'retry' });
    expect(seen).toHaveLength(1);
  });

  it('answers retry without sending when the delivery is already aborted', async () => {
    const seen = postMessage(okAnswer);
    const controller = new AbortController();
    controller.abort();
    const outcome = await adapter().send({ channel: '#loyalty-alerts', text: 'hi' }, context({ signal: controller.signal }));
    expect(outcome).toEqual({ status: 'retry', error: 'slack: aborted' });
    expect(seen).toHaveLength(0);
  });

  it('talks to https://slack.com/api/ when SLACK_API_URL is not set', async () => {
    const seen = postMessage(okAnswer, 'https://slack.com/api/chat.postMessage');
    const outcome = await adapter({ SLACK_BOT_TOKEN: 'xoxb-test-token' }).send({ channel: '#loyalty-alerts', text: 'hi' }, context());
    expect(outcome.status).toBe('delivered');
    expect(seen).toHaveLength(1);
  });

  it('turns SLACK_API_URL into the SDK base URL', () => {
    expect(slackApiUrl(undefined)).toBe('https://slack.com/api/');
    expect(slackApiUrl('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010/api/');
    expect(slackApiUrl('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010/api/');
    expect(slackApiUrl('https://proxy.example/slack/api/')).toBe('https://proxy.example/slack/api/');
  });

  it('declares its options: channel and text required, blocks optional, typos refused', () => {
    expect(slackOptions.safeParse({ channel: '#loyalty-alerts', text: 'hi' }).success).toBe(true);
    expect(slackOptions.safeParse({ channel: '#a', text: 'hi', blocks: [{ type: 'divider' }] }).success).toBe(true);
    expect(slackOptions.safeParse({ text: 'hi' }).success).toBe(false);
    expect(slackOptions.safeParse({ channel: '#a' }).success).toBe(false);
    expect(slackOptions.safeParse({ channel: '#a', text: 'hi', blocks: [{ text: 'no type' }] }).success).toBe(false);
    expect(slackOptions.safeParse({ chanel: '#a', text: 'hi' }).success).toBe(false);
    expect(adapter().options).toBe(slackOptions);
  });

  it('is disabled without SLACK_BOT_TOKEN and names it; SLACK_API_URL is optional', () => {
    expect(connectorStatus(slack, {})).toEqual({ name: 'slack', title: 'Slack', directions: ['outbound'], enabled: false, missing: ['SLACK_BOT_TOKEN'] });
    expect(connectorStatus(slack, { SLACK_BOT_TOKEN: 'xoxb-1' })).toMatchObject({ enabled: true, missing: [] });
    expect(slack.config.find((v) => v.env === 'SLACK_BOT_TOKEN')).toMatchObject({ secret: true, required: true });
    expect(slack.directions).toEqual(['outbound']);
  });
});
