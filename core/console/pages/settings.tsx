/**
 * Settings (docs/console.md, "Settings"): API keys (`/v1/api-keys`) and webhook endpoints
 * (`/v1/webhook-endpoints`), both admin-only in the API and so here.
 *
 * A secret — a new key, an endpoint's signing secret, a rotated one — is rendered once, on the
 * answer (200) to the form that made it, never after a redirect, never in a URL, and the answer
 * is `no-store` (console-app.tsx). Sending that form again (reload, back button) carries the
 * same idempotency key, and the API's replay has the secret nulled (core/api/idempotency.ts,
 * `hideSecretsOnReplay`): the page then says the secret was shown before and what to do if it
 * was lost, and nothing is made twice. With scripts on, the answer also replaces its history
 * entry by the plain settings address (assets/console.js), so a reload shows the list and asks
 * nothing.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Problem } from '../../api/problem.js';
import { SCOPES, type Scope } from '../../auth/api-keys.js';
import { LOYALTY_EVENT_TYPES } from '../../outbox/loyalty-events.js';
import { ActionForm, DataTable, Pager, ProblemNotice, formatTime } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { Field, fieldMessages, inputAttributes, type FieldMessages } from '../fields.js';
import { formFields, sendForm } from '../forms.js';
import { leaveNotice, renderPage } from '../layout.js';
import { SESSION_COOKIE, isHttps } from '../sign-in.js';

type Page<T> = { data: T[]; nextCursor: string | null };

interface ApiKey {
  id: string;
  name: string;
  scopes: Scope[];
  fromEnvironment: boolean;
  createdAt: string;
  revokedAt: string | null;
}

interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
}

/** A secret this answer shows (null: the API replayed the form's first answer, without it). */
interface Shown {
  what: 'key' | 'endpoint' | 'rotation';
  /** Whose secret, in words. */
  of: string;
  secret: string | null;
}

/** A refused form: which one (and for which row), the API's problem, what was typed. */
interface Refusal {
  form: 'create-key' | 'revoke-key' | 'create-endpoint' | 'rotate' | 'delete';
  id?: string;
  problem: Problem;
  values: Record<string, string>;
}

const SCOPE_HELP: Record<Scope, string> = {
  read: 'read: look members up, read balances and history',
  write: 'write: also enroll, post events, redeem, use vouchers',
  admin: 'admin: everything, including keys and adjustments',
};

const keyPath = (id: string) => `/console/settings/api-keys/${encodeURIComponent(id)}`;
const endpointPath = (id: string) => `/console/settings/webhook-endpoints/${encodeURIComponent(id)}`;

function SecretPanel(props: { shown: Shown }) {
  const { shown } = props;
  const noun = shown.what === 'key' ? 'key' : 'signing secret';
  if (shown.secret === null) {
    return (
      <section class="secret replayed" role="status" aria-labelledby="h-secret" data-replace-url="/console/settings">
        <h2 id="h-secret">This form was sent before</h2>
        <p>
          {shown.what === 'key'
            ? `The key ${shown.of} was created by the first sending and shown on that answer only; it is not shown again and no second key was made. If it was lost, revoke it and create another.`
            : `The ${noun} of ${shown.of} was shown on the first answer only; it is not shown again and nothing was changed twice. If it was lost, rotate the secret.`}
        </p>
      </section>
    );
  }
  return (
    <section class="secret" aria-labelledby="h-secret" data-replace-url="/console/settings">
      <h2 id="h-secret">Copy the new {noun} now: it is shown only this once</h2>
      <label for="new-secret">
        {shown.what === 'key' ? 'Key' : shown.what === 'rotation' ? 'New signing secret' : 'Signing secret'} for {shown.of}
      </label>
      <div class="secret-value">
        <input id="new-secret" type="text" readonly value={shown.secret} autocomplete="off" spellcheck={false} aria-describedby="secret-help" />
        <button type="button" class="secondary" data-copy="new-secret" hidden>
          Copy
        </button>
      </div>
      <p id="secret-help" class="help">
        Select it and copy it (Ctrl+C, or ⌘C on a Mac) into{' '}
        {shown.what === 'key' ? "the app's configuration or a password manager" : "the receiver's configuration (Standard Webhooks)"}. The hub keeps
        {shown.what === 'key' ? ' only a hash of it' : ' it for signing only'}: it will not be shown again — not after a reload, not on any other page.
        {shown.what === 'key' ? ' If it is lost, revoke it and create another.' : ' If it is lost, rotate it.'}
      </p>
    </section>
  );
}

function KeysSection(props: { c: Context<ConsoleEnv>; keys: Page<ApiKey>; revoked: boolean; refusal?: Refusal }) {
  const { c, keys, refusal } = props;
  const me = c.get('session').principal.keyId;
  const csrf = c.get('session').csrfToken;
  const createMessages = fieldMessages(refusal?.form === 'create-key' ? refusal.problem : undefined);
  const v = refusal?.form === 'create-key' ? refusal.values : {};
  // A refused revocation shows in its row's form; a key with no form here (the environment's, or
  // one not on this page) gets it above the table.
  const rowHasForm = (id?: string) => keys.data.some((k) => k.id === id && !k.revokedAt && !k.fromEnvironment);
  const unplaced = refusal?.form === 'revoke-key' && !rowHasForm(refusal.id) ? refusal.problem : undefined;
  return (
    <section aria-labelledby="h-keys">
      <h2 id="h-keys">API keys</h2>
      {unplaced ? <ProblemNotice problem={unplaced} /> : null}
      <p class="filters-line">
        {props.revoked ? (
          <a href="/console/settings">Show working keys only</a>
        ) : (
          <a href="/console/settings?revoked=all">Show revoked keys too</a>
        )}
      </p>
      <DataTable caption={props.revoked ? 'API keys, revoked ones too' : 'Working API keys'} headers={['Name', 'Scope', 'Created', 'Status', 'Revoke']} rows={keys.data.length}>
        {keys.data.map((k) => {
          const refused = refusal?.form === 'revoke-key' && refusal.id === k.id ? refusal.problem : undefined;
          return (
            <tr>
              <td>
                {k.name}
                {k.id === me ? <span class="status">you</span> : null}
                <div class="help">
                  <code>{k.id}</code>
                </div>
              </td>
              <td>{k.scopes.join(', ')}</td>
              <td>{formatTime(k.createdAt)}</td>
              <td>{k.revokedAt ? <span class="status bad">revoked {formatTime(k.revokedAt)}</span> : <span class="status ok">works</span>}</td>
              <td>
                {k.revokedAt ? (
                  '—'
                ) : k.fromEnvironment ? (
                  <span class="help">ADMIN_API_KEY: change the variable and restart to replace it</span>
                ) : (
                  <details class="confirm" open={refused ? true : undefined}>
                    <summary>Revoke…</summary>
                    <ActionForm action={`${keyPath(k.id)}/revoke`} csrfToken={csrf} label={`Revoke ${k.name}`}>
                      {refused ? <ProblemNotice problem={refused} /> : null}
                      <p class={k.id === me ? 'warning' : 'help'}>
                        {k.id === me
                          ? 'This is the key you are signed in with: revoking it signs you out of the console at once.'
                          : 'Whatever uses this key stops working at once (within 5 seconds in other hub processes). This cannot be undone.'}
                      </p>
                      <button type="submit" class="danger">
                        Revoke “{k.name}”
                      </button>
                    </ActionForm>
                  </details>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Pager nextCursor={keys.nextCursor} href={(next) => `/console/settings?${props.revoked ? 'revoked=all&' : ''}keys=${encodeURIComponent(next)}`} />
      <h3>Create a key</h3>
      {refusal?.form === 'create-key' ? <ProblemNotice problem={refusal.problem} /> : null}
      <ActionForm action="/console/settings/api-keys" csrfToken={csrf} class="inline" label="Create an API key">
        <Field id="key-name" name="name" label="Name" messages={createMessages}>
          <input {...inputAttributes('key-name', 'name', createMessages)} type="text" required maxlength={200} value={v.name ?? ''} placeholder="POS backend" />
        </Field>
        <Field id="key-scope" name="scope" label="Scope" messages={createMessages}>
          <select {...inputAttributes('key-scope', 'scope', createMessages)}>
            {SCOPES.map((s) => (
              <option value={s} selected={s === (v.scope || 'read')}>
                {SCOPE_HELP[s]}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">Create key</button>
      </ActionForm>
    </section>
  );
}

function EventChoices(props: { values: Record<string, string>; messages: FieldMessages }) {
  const errors = props.messages.get('events');
  return (
    <fieldset class="checks events" aria-describedby={errors ? 'endpoint-events-error' : 'endpoint-events-help'}>
      <legend>Events</legend>
      <p class="help" id="endpoint-events-help">
        None ticked: every event type (docs/mappings.md, "Events").
      </p>
      {LOYALTY_EVENT_TYPES.map((type) => (
        <label class="check">
          <input type="checkbox" name={`event:${type}`} checked={props.values[`event:${type}`] === 'on'} /> <code>{type}</code>
        </label>
      ))}
      {errors ? (
        <p class="field-error" id="endpoint-events-error">
          {errors.join('; ')}
        </p>
      ) : null}
    </fieldset>
  );
}

function EndpointsSection(props: { c: Context<ConsoleEnv>; endpoints: Page<Endpoint>; refusal?: Refusal }) {
  const { c, endpoints, refusal } = props;
  const csrf = c.get('session').csrfToken;
  const createMessages = fieldMessages(refusal?.form === 'create-endpoint' ? refusal.problem : undefined);
  const v = refusal?.form === 'create-endpoint' ? refusal.values : {};
  const unplaced =
    (refusal?.form === 'rotate' || refusal?.form === 'delete') && !endpoints.data.some((e) => e.id === refusal.id) ? refusal.problem : undefined;
  return (
    <section aria-labelledby="h-endpoints">
      <h2 id="h-endpoints">Webhook endpoints</h2>
      {unplaced ? <ProblemNotice problem={unplaced} /> : null}
      <p class="help">Signed outbound webhooks (docs/api.md, "Webhook endpoints"): every loyalty event of the chosen types is posted to the URL.</p>
      <DataTable caption="Webhook endpoints" headers={['URL', 'Events', 'Status', 'Signing', 'Created', 'Change']} rows={endpoints.data.length} empty="No webhook endpoints yet.">
        {endpoints.data.map((e) => {
          const rotateProblem = refusal?.form === 'rotate' && refusal.id === e.id ? refusal.problem : undefined;
          const deleteProblem = refusal?.form === 'delete' && refusal.id === e.id ? refusal.problem : undefined;
          const rotateMessages = fieldMessages(rotateProblem);
          const overlapId = `overlap-${e.id}`;
          return (
            <tr>
              <td class="url">
                <code>{e.url}</code>
                {e.description ? <div class="help">{e.description}</div> : null}
              </td>
              <td>{e.events.length ? e.events.join(', ') : 'every type'}</td>
              <td>
                {e.status === 'enabled' ? <span class="status ok">enabled</span> : <span class="status bad">disabled</span>}
                {e.disabledReason ? <div class="help">{e.disabledReason}</div> : null}
              </td>
              <td>{e.previousSecretExpiresAt ? `new secret; the previous one also signs until ${formatTime(e.previousSecretExpiresAt)}` : 'one secret'}</td>
              <td>{formatTime(e.createdAt)}</td>
              <td class="row-actions">
                <details class="confirm" open={rotateProblem ? true : undefined}>
                  <summary>Rotate secret…</summary>
                  <ActionForm action={`${endpointPath(e.id)}/rotate`} csrfToken={csrf} label={`Rotate the secret of ${e.url}`}>
                    {rotateProblem ? <ProblemNotice problem={rotateProblem} /> : null}
                    <Field
                      id={overlapId}
                      name="overlapHours"
                      label="Hours the old secret keeps signing too"
                      help="0 revokes it at once; during the overlap each message carries both signatures."
                      messages={rotateMessages}
                    >
                      <input
                        {...inputAttributes(overlapId, 'overlapHours', rotateMessages, true)}
                        type="number"
                        inputmode="decimal"
                        value={rotateProblem ? (refusal?.values.overlapHours ?? '24') : '24'}
                        size={5}
                      />
                    </Field>
                    <button type="submit">Rotate secret</button>
                  </ActionForm>
                </details>
                <details class="confirm" open={deleteProblem ? true : undefined}>
                  <summary>Delete…</summary>
                  <ActionForm action={`${endpointPath(e.id)}/delete`} csrfToken={csrf} label={`Delete ${e.url}`}>
                    {deleteProblem ? <ProblemNotice problem={deleteProblem} /> : null}
                    <p class="help">No further events are sent to it; deliveries still queued for it are skipped.</p>
                    <button type="submit" class="danger">
                      Delete this endpoint
                    </button>
                  </ActionForm>
                </details>
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Pager nextCursor={endpoints.nextCursor} href={(next) => `/console/settings?hooks=${encodeURIComponent(next)}`} />
      <h3>Add an endpoint</h3>
      {refusal?.form === 'create-endpoint' ? <ProblemNotice problem={refusal.problem} /> : null}
      <ActionForm action="/console/settings/webhook-endpoints" csrfToken={csrf} class="stack" label="Add a webhook endpoint">
        <Field id="endpoint-url" name="url" label="URL" help="https, to a public address." messages={createMessages}>
          <input {...inputAttributes('endpoint-url', 'url', createMessages, true)} type="url" required maxlength={2048} value={v.url ?? ''} placeholder="https://example.com/hooks/loyalty" />
        </Field>
        <Field id="endpoint-description" name="description" label="Description (optional)" messages={createMessages}>
          <input {...inputAttributes('endpoint-description', 'description', createMessages)} type="text" maxlength={500} value={v.description ?? ''} />
        </Field>
        <EventChoices values={v} messages={createMessages} />
        <div>
          <button type="submit">Add endpoint</button>
        </div>
      </ActionForm>
    </section>
  );
}

/** The settings page; `shown` and `refusal` come from a form this request answers. */
async function settingsView(c: Context<ConsoleEnv>, extra: { shown?: Shown; refusal?: Refusal } = {}) {
  const { principal } = c.get('session');
  const signedInAs = (
    <p>
      Signed in with the key <strong>{principal.name}</strong> (<code>{principal.keyId}</code>), scope {principal.scopes.join(', ')}.
    </p>
  );
  if (extra.refusal) c.status(extra.refusal.problem.status as ContentfulStatusCode);
  if (!c.get('can')('admin')) {
    // The API lists keys and endpoints to admin keys only (docs/api.md): nothing to ask it.
    return renderPage(
      c,
      { title: 'Settings', section: '/console/settings' },
      <>
        {extra.refusal ? <ProblemNotice problem={extra.refusal.problem} /> : null}
        {signedInAs}
        <p>API keys and webhook endpoints are read and managed with an admin key; this key may not see or change them.</p>
      </>,
    );
  }
  const api = c.get('api');
  const revoked = c.req.query('revoked') === 'all';
  const [keys, endpoints] = await Promise.all([
    api.get<Page<ApiKey>>('/api-keys', { revoked: revoked ? undefined : 'false', cursor: c.req.query('keys'), limit: 50 }),
    api.get<Page<Endpoint>>('/webhook-endpoints', { cursor: c.req.query('hooks'), limit: 50 }),
  ]);
  if (!extra.refusal && (!keys.ok || !endpoints.ok)) c.status((!keys.ok ? keys.status : endpoints.status) as ContentfulStatusCode);
  return renderPage(
    c,
    { title: 'Settings', section: '/console/settings' },
    <>
      {extra.shown ? <SecretPanel shown={extra.shown} /> : null}
      {signedInAs}
      {keys.ok ? <KeysSection c={c} keys={keys.data} revoked={revoked} refusal={extra.refusal} /> : <ProblemNotice problem={keys.problem} />}
      {endpoints.ok ? <EndpointsSection c={c} endpoints={endpoints.data} refusal={extra.refusal} /> : <ProblemNotice problem={endpoints.problem} />}
    </>,
  );
}

export function settingsPage(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', (c) => settingsView(c));

  app.post('/api-keys', async (c) => {
    const fields = await formFields(c);
    const answer = await sendForm<ApiKey & { key: string | null }>(c, 'POST', '/api-keys', { name: fields.name ?? '', scope: fields.scope ?? '' });
    if (!answer.ok) return settingsView(c, { refusal: { form: 'create-key', problem: answer.problem, values: fields } });
    // Rendered on this answer, not after a redirect: the key must never reach a URL or a later page.
    const k = answer.data;
    return settingsView(c, { shown: { what: 'key', of: `“${k.name}” (${k.scopes.join(', ')})`, secret: k.key } });
  });

  app.post('/api-keys/:id/revoke', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const answer = await sendForm<ApiKey>(c, 'DELETE', `/api-keys/${encodeURIComponent(id)}`);
    if (!answer.ok) return settingsView(c, { refusal: { form: 'revoke-key', id, problem: answer.problem, values: fields } });
    if (id === c.get('session').principal.keyId) {
      // The session died with its key (docs/console.md, "Signing in"); the cookie goes too.
      deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: isHttps(c, deps.publicUrl) });
      return c.redirect('/console/sign-in', 303);
    }
    leaveNotice(c, `Revoked the key “${answer.data.name}”: it no longer works.`);
    return c.redirect('/console/settings', 303);
  });

  app.post('/webhook-endpoints', async (c) => {
    const fields = await formFields(c);
    const events = LOYALTY_EVENT_TYPES.filter((type) => fields[`event:${type}`] === 'on');
    const answer = await sendForm<Endpoint & { secret: string | null }>(c, 'POST', '/webhook-endpoints', {
      url: (fields.url ?? '').trim(),
      description: (fields.description ?? '').trim() || null,
      events,
    });
    if (!answer.ok) return settingsView(c, { refusal: { form: 'create-endpoint', problem: answer.problem, values: fields } });
    return settingsView(c, { shown: { what: 'endpoint', of: answer.data.url, secret: answer.data.secret } });
  });

  app.post('/webhook-endpoints/:id/rotate', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const overlap = (fields.overlapHours ?? '').trim();
    const overlapHours = overlap === '' ? undefined : /^\d+(\.\d+)?$/.test(overlap) ? Number(overlap) : overlap;
    const answer = await sendForm<Endpoint & { secret: string | null }>(c, 'POST', `/webhook-endpoints/${encodeURIComponent(id)}/rotate-secret`, { overlapHours });
    if (!answer.ok) return settingsView(c, { refusal: { form: 'rotate', id, problem: answer.problem, values: fields } });
    return settingsView(c, { shown: { what: 'rotation', of: answer.data.url, secret: answer.data.secret } });
  });

  app.post('/webhook-endpoints/:id/delete', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const answer = await sendForm<Endpoint>(c, 'DELETE', `/webhook-endpoints/${encodeURIComponent(id)}`);
    if (!answer.ok) return settingsView(c, { refusal: { form: 'delete', id, problem: answer.problem, values: fields } });
    leaveNotice(c, `Deleted the webhook endpoint ${answer.data.url}: no further events are sent to it.`);
    return c.redirect('/console/settings', 303);
  });

  // A form's address opened directly (or after a secret's page, without scripts): the list.
  app.get('/*', (c) => c.redirect('/console/settings', 303));

  return app;
}
