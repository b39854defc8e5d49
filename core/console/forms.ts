/**
 * Reading a console form and sending it to the API: the fields as strings, and the write
 * carrying the idempotency key the form was drawn with (components.tsx, ActionForm).
 */
import type { Context } from 'hono';
import type { ApiAnswer } from './api-client.js';
import type { ConsoleEnv } from './console-env.js';

/** A form's fields as text (files and repeated fields are not console inputs). */
export async function formFields(c: Context<ConsoleEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/** Sends the form's change to the API once, however often the form is submitted. */
export async function sendForm<T>(
  c: Context<ConsoleEnv>,
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const { _idempotency } = await formFields(c);
  return c.get('api').send<T>(method, path, body, _idempotency ? `console-${_idempotency}` : undefined);
}
