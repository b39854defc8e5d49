/**
 * The Journey Builder activity on its own: the execute handler (JWT check, delivery id, the
 * activity trigger) built with `createInbound`, and the activity's routes (config.json, the
 * configuration page, save/publish/validate/stop) through `createRoutes`, with calls signed as
 * Journey Builder signs them (tests/inbound/sfmc-sign.ts).
 */
import { describe, expect, it } from 'vitest';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import sfmc from '../../connectors/sfmc/index.js';
import { inboundServices } from '../helpers/inbound-services.js';
import { executePayload, inArguments, PUBLIC_URL, SFMC_JWT_SECRET, signJwt } from '../inbound/sfmc-sign.js';

const env = { SFMC_SUBDOMAIN: 'mc563885gzs27c5t9-63k636ttgm', SFMC_CLIENT_ID: 'id', SFMC_CLIENT_SECRET: 'secret', SFMC_JWT_SECRET };
const handler = sfmc.createInbound!(env, inboundServices(silentLogger));
const routes = sfmc.createRoutes!(env, inboundServices(silentLogger, { publicUrl: PUBLIC_URL }));

function request(body: string): InboundRequest {
  return { method: 'POST', url: `${PUBLIC_URL}/webhooks/sfmc`, headers: new Headers({ 'content-type': 'application/jwt' }), rawBody: new TextEncoder().encode(body), body };
}

const nowS = () => Math.floor(Date.now() / 1000);

describe('sfmc execute: the JWT', () => {
  it('accepts a JWT signed with SFMC_JWT_SECRET', () => {
    expect(handler.verify(request(signJwt(executePayload())))).toEqual({ ok: true });
  });

  it.each([
    ['signed with another secret', () => signJwt(executePayload(), { secret: 'another-package-secret' }), /signature does not match SFMC_JWT_SECRET/],
    ['with the payload changed after signing', () => {
      const [h, , s] = signJwt(executePayload()).split('.');
      return `${h}.${Buffer.from(JSON.stringify(executePayload({ inArguments: inArguments({ points: 100000 }) }))).toString('base64url')}.${s}`;
    }, /signature does not match/],
    ['with alg none and no signature', () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(executePayload())).toString('base64url')}.`, /"none", only HS256/],
    ['with alg HS512', () => signJwt(executePayload(), { header: { alg: 'HS512', typ: 'JWT' } }), /"HS512", only HS256/],
    ['expired (exp two minutes ago)', () => signJwt(executePayload({ exp: nowS() - 120 })), /the JWT expired at/],
    ['issued in the future', () => signJwt(executePayload({ iat: nowS() + 600, exp: nowS() + 900 })), /issued in the future/],
    ['not valid yet', () => signJwt(executePayload({ nbf: nowS() + 600 })), /not valid yet/],
    ['with a time claim that is not a number', () => signJwt(executePayload({ exp: 'tomorrow' })), /not a number/],
    ['a JSON body instead of a JWT', () => JSON.stringify(executePayload()), /the body is not a JWT/],
    ['an empty body', () => '', /the body is not a JWT/],
  ])('refuses a call %s', (_what, token, reason) => {
    const result = handler.verify(request(token()));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('tolerates a minute of clock difference either way', () => {
    expect(handler.verify(request(signJwt(executePayload({ exp: nowS() - 50 }))))).toEqual({ ok: true });
    expect(handler.verify(request(signJwt(executePayload({ iat: nowS() + 50 }))))).toEqual({ ok: true });
  });

  it('refuses everything when SFMC_JWT_SECRET is empty', () => {
    const open = sfmc.createInbound!({ ...env, SFMC_JWT_SECRET: '' }, inboundServices(silentLogger));
    expect(open.verify(request(signJwt(executePayload(), { secret: '' })))).toMatchObject({ ok: false, reason: 'SFMC_JWT_SECRET is not set' });
  });
});

describe('sfmc execute: the trigger', () => {
  it('turns a contact reaching the activity into the configured activity, points and customer', async () => {
    const token = signJwt(executePayload({ iat: 1767268800, exp: 1767269100 }));
    expect(handler.deliveryId(request(token))).toBe('execute:4e115c74-6bea-40ba-84ea-2bc09ee51bae');
    expect(handler.topic(request(token))).toBe('journey.execute');
    expect(await handler.normalize(request(token))).toEqual({
      status: 'events',
      events: [
        {
          id: 'sfmc:journey:0a074b98-bef8-4c9f-b3a7-db94ab1dda5b:0034x00001KqLp2AAF',
          source: 'sfmc',
          type: 'activity',
          name: 'journey.welcome',
          occurredAt: 1767268800_000,
          customer: { platformId: '0034x00001KqLp2AAF', email: 'ann.lee@example.com' },
          attributes: {
            points: 150,
            activityId: '0a074b98-bef8-4c9f-b3a7-db94ab1dda5b',
            journeyId: '61f97634-5a98-4706-bb84-cbf384e5284f',
            definitionInstanceId: '2a37f99b-5b85-4893-adb4-d38a5c9c91a3',
            activityInstanceId: '4e115c74-6bea-40ba-84ea-2bc09ee51bae',
          },
        },
      ],
    });
  });

  it('reads points Journey Builder bound as text, defaults the activity name, and leaves out an unbound e-mail', async () => {
    const token = signJwt(executePayload({ inArguments: [{ contactKey: 'C-9', email: '{{Contact.Default.Email}}', points: '75' }], keyValue: undefined }));
    const result = await handler.normalize(request(token));
    expect(result).toMatchObject({ status: 'events', events: [{ id: 'sfmc:journey:0a074b98-bef8-4c9f-b3a7-db94ab1dda5b:C-9', name: 'journey.activity', customer: { platformId: 'C-9' }, attributes: { points: 75 } }] });
    expect(result.status === 'events' && result.events[0]!.customer).toEqual({ platformId: 'C-9' });
  });

  it('is a 400 naming the field when the activity has no usable points, name or contact', async () => {
    const refusal = async (changes: Record<string, unknown>) => {
      try {
        await handler.normalize(request(signJwt(executePayload(changes))));
      } catch (error) {
        expect(error).toBeInstanceOf(InboundPayloadError);
        return (error as InboundPayloadError).errors.map((e) => e.pointer);
      }
      throw new Error('expected a refusal');
    };
    expect(await refusal({ inArguments: inArguments({ points: 0 }) })).toEqual(['/inArguments/0/points']);
    expect(await refusal({ inArguments: inArguments({ points: 12.5 }) })).toEqual(['/inArguments/0/points']);
    expect(await refusal({ inArguments: inArguments({ activity: 'Journey Welcome!' }) })).toEqual(['/inArguments/0/activity']);
    expect(await refusal({ keyValue: undefined, inArguments: inArguments({ contactKey: '{{Contact.Key}}' }) })).toEqual(['/keyValue']);
    expect(await refusal({ activityId: undefined, activityObjectID: undefined })).toEqual(['/activityId']);
  });
});

describe('sfmc activity routes', () => {
  const post = (path: string, token: string) => routes.request(`/${path}`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: token });

  it('serves config.json: REST, workflow API 1.1, every call signed, execute at the hub\'s webhook', async () => {
    const res = await routes.request('/config.json');
    expect(res.status).toBe(200);
    const config = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(config).toMatchObject({ workflowApiVersion: '1.1', type: 'REST', metaData: { icon: 'icon.svg', category: 'customer' } });
    expect(config.arguments.execute).toMatchObject({
      url: 'https://loyalty.example.com/webhooks/sfmc',
      useJwt: true,
      inArguments: [{ contactKey: '{{Contact.Key}}', email: '{{Contact.Default.Email}}', activity: 'journey.activity', points: 100 }],
      outArguments: [],
    });
    expect(config.configurationArguments).toEqual({
      save: { url: 'https://loyalty.example.com/connectors/sfmc/save', useJwt: true },
      publish: { url: 'https://loyalty.example.com/connectors/sfmc/publish', useJwt: true },
      validate: { url: 'https://loyalty.example.com/connectors/sfmc/validate', useJwt: true },
      stop: { url: 'https://loyalty.example.com/connectors/sfmc/stop', useJwt: true },
    });
    expect(config.userInterfaces).toHaveProperty('configModal');
    expect(config.schema.arguments.execute.inArguments.map((a: object) => Object.keys(a)[0])).toEqual(['contactKey', 'email', 'activity', 'points']);
  });

  it('answers config.json with 503 while PUBLIC_URL is unset (Journey Builder could not call back)', async () => {
    const without = sfmc.createRoutes!(env, inboundServices(silentLogger));
    expect((await without.request('/config.json')).status).toBe(503);
  });

  it('serves the configuration page, Postmonger and the icon', async () => {
    const page = await routes.request('/index.html');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<script src="postmonger.js"></script>');
    expect(html).toContain("connection.trigger('updateActivity', activity)");
    const script = await routes.request('/postmonger.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('Postmonger.js   version 0.0.14');
    expect((await routes.request('/icon.svg')).headers.get('content-type')).toBe('image/svg+xml');
  });

  it.each(['save', 'publish', 'validate', 'stop'])('%s: 200 to a signed call, 401 to a forged or expired one', async (step) => {
    const payload = { activityObjectID: '0a074b98-bef8-4c9f-b3a7-db94ab1dda5b', interactionId: '61f97634-5a98-4706-bb84-cbf384e5284f', originalDefinitionId: 'x', interactionKey: 'k', interactionVersion: '1', iat: nowS(), exp: nowS() + 300 };
    expect((await post(step, signJwt(payload))).status).toBe(200);
    expect((await post(step, signJwt(payload, { secret: 'forged' }))).status).toBe(401);
    expect((await post(step, signJwt({ ...payload, exp: nowS() - 3600 }))).status).toBe(401);
    expect((await post(step, '{}')).status).toBe(401);
  });

  it('validate refuses an activity whose points are not a whole number of at least 1', async () => {
    const withArgs = (args: Record<string, unknown>) => signJwt({ arguments: { execute: { inArguments: inArguments(args) } }, iat: nowS(), exp: nowS() + 300 });
    expect((await post('validate', withArgs({ points: 150 }))).status).toBe(200);
    const bad = await post('validate', withArgs({ points: 0 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'the points of the activity must be a whole number of at least 1' });
    expect((await post('validate', withArgs({ activity: 'Not A Name' }))).status).toBe(400);
  });
});
