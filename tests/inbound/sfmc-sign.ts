/**
 * Journey Builder's calls as it makes them (docs/connectors/sfmc.md): with `useJwt: true` the POST
 * body is an HS256 JWT signed with the installed package's JWT Signing Secret, content type
 * `application/jwt`. Signed here with node:crypto on its own, not with the connector's code, so a
 * mistake in one is not hidden by the same mistake in the other.
 */
import { createHmac } from 'node:crypto';
import { sample, type Json } from './webhook-helpers.js';

export const SFMC_JWT_SECRET = 'bXktcGFja2FnZS1qd3Qtc2lnbmluZy1zZWNyZXQ';
export const PUBLIC_URL = 'https://loyalty.example.com';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function signJwt(payload: Json, options: { secret?: string; header?: Json } = {}): string {
  const head = b64url(JSON.stringify(options.header ?? { alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac('sha256', options.secret ?? SFMC_JWT_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** execute-payload.json (a contact reaching the activity) with changes and the JWT's times. */
export function executePayload(changes: Json = {}, nowMs = Date.now()): Json {
  const iat = Math.floor(nowMs / 1000);
  return { ...sample('sfmc', 'execute-payload'), iat, exp: iat + 300, ...changes };
}

/** The activity's inArguments as the configuration page saves them. */
export function inArguments(args: Json): Json[] {
  return [{ contactKey: '0034x00001KqLp2AAF', email: 'ann.lee@example.com', activity: 'journey.activity', points: 150, ...args }];
}

export function journeyCall(token: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: token };
}
