/**
 * `ZOHO_ACTIVITY_EVENTS`: which record events of Zoho's notification channel are qualifying
 * actions, and which activity each becomes (docs/connectors/zoho.md, "Record events"). Entries are
 * separated by commas, each `activity=Module.operation` or `activity=Module.operation:Field=Value`:
 *
 *     deal.won=Deals.edit:Stage=Closed Won,call.logged=Calls.create,signup.crm=Contacts.create
 *
 * `operation` is Zoho's event operation: `create`, `edit` or `all` (both). With a condition, the
 * record (read through the API) must have that value in that field: a Deal edited to "Closed Won".
 * One record earns an activity once, however often it is edited: the activity's id is
 * `zoho:<Module>:<record id>:<activity>`. The channel subscribes to exactly the events named here.
 * A mistake is a start-up error naming the entry.
 */
import { ACTIVITY_NAME } from './schemas.js';

export interface ActivityRule {
  activity: string;
  module: string;
  operation: 'create' | 'edit' | 'all';
  condition?: { field: string; value: string };
}

const MODULE = /^[A-Za-z][A-Za-z0-9_]*$/;
const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;

export function parseActivityEvents(value: string | undefined): ActivityRule[] {
  const rules: ActivityRule[] = [];
  for (const entry of (value ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const fail = (why: string): never => {
      throw new Error(`zoho: ZOHO_ACTIVITY_EVENTS: "${entry}" ${why} (e.g. deal.won=Deals.edit:Stage=Closed Won)`);
    };
    const eq = entry.indexOf('=');
    if (eq < 0) fail('is not activity=Module.operation');
    const activity = entry.slice(0, eq).trim();
    const rest = entry.slice(eq + 1).trim();
    if (!ACTIVITY_NAME.test(activity)) fail(`names "${activity}", not a lower-case activity name like deal.won`);
    const colon = rest.indexOf(':');
    const event = (colon < 0 ? rest : rest.slice(0, colon)).trim();
    const [module, operation, ...more] = event.split('.');
    if (!module || !MODULE.test(module) || more.length) fail(`names "${event}", not Module.operation`);
    if (operation !== 'create' && operation !== 'edit' && operation !== 'all') fail('has an operation other than create, edit or all');
    const rule: ActivityRule = { activity, module: module!, operation: operation as ActivityRule['operation'] };
    if (colon >= 0) {
      const condition = rest.slice(colon + 1);
      const ceq = condition.indexOf('=');
      const field = condition.slice(0, Math.max(0, ceq)).trim();
      const expected = condition.slice(ceq + 1).trim();
      if (ceq < 0 || !FIELD.test(field) || !expected) fail('has a condition that is not Field=Value');
      rule.condition = { field, value: expected };
    }
    rules.push(rule);
  }
  // A channel watches at most 10 events (Zoho's Notifications API).
  if (watchEvents(rules).length > 10) throw new Error('zoho: ZOHO_ACTIVITY_EVENTS names more than 10 Module.operation events; Zoho watches at most 10 on one channel');
  return rules;
}

/** The channel's `events`: `Deals.edit`, `Calls.create`, … once each. */
export function watchEvents(rules: readonly ActivityRule[]): string[] {
  return [...new Set(rules.map((r) => `${r.module}.${r.operation}`))].sort();
}

/** Zoho's callback says `insert`, `update` or `delete`; the channel was subscribed with create/edit/all. */
function operationMatches(rule: ActivityRule, callbackOperation: string): boolean {
  const op = callbackOperation.toLowerCase();
  if (op === 'insert' || op === 'create') return rule.operation !== 'edit';
  if (op === 'update' || op === 'edit') return rule.operation !== 'create';
  return false;
}

/** The rules a callback of `module`/`operation` may satisfy (before the records' fields are read). */
export function rulesFor(rules: readonly ActivityRule[], module: string, operation: string): ActivityRule[] {
  return rules.filter((r) => r.module === module && operationMatches(r, operation));
}

/** A field value as text: a pick list or text as is, a lookup by its name, a number or boolean spelled out. */
function textOfField(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') return (value as { name: string }).name.trim();
  return undefined;
}

/** Whether the record satisfies the rule's condition (a rule without one: always). */
export function conditionHolds(rule: ActivityRule, record: Record<string, unknown>): boolean {
  return !rule.condition || textOfField(record[rule.condition.field]) === rule.condition.value;
}
