/**
 * Recipe files are checked before anything runs (docs/recipes.md, "Checking a recipe"): each
 * problem names the line it is on, where in the recipe, and why — the same problems
 * `loyalty-hub connectors check` prints and the hub refuses to start on.
 */
import { describe, expect, it } from 'vitest';
import { loadRecipeFile } from '../../core/connectors/recipe-schema.js';

const GOOD = `name: acme
title: Acme
secret_env: ACME_SECRET
signature:
  header: X-Acme-Signature
  encoding: base64
topic: { header: X-Acme-Topic }
amounts: minor
topics:
  order.paid:
    trigger: order.paid
    order_id: order.id
    amount: order.amount
    currency: order.currency
`;

const problemsOf = (text: string) => loadRecipeFile('/recipes/acme.yaml', text).problems.map((p) => `${p.line}: ${p.path ? `${p.path}: ` : ''}${p.reason}`);

describe('recipe files', () => {
  it('reads a good recipe into a scheme for the shared verifier', () => {
    const { recipe, problems } = loadRecipeFile('/recipes/acme.yaml', GOOD);
    expect(problems).toEqual([]);
    expect(recipe).toMatchObject({ name: 'acme', secretEnv: 'ACME_SECRET', signature: { header: 'X-Acme-Signature', encoding: 'base64' }, topic: { header: 'X-Acme-Topic' }, amounts: 'minor' });
    expect(recipe!.topics.get('order.paid')).toMatchObject({ trigger: 'order.paid', measuredAgainst: 'amount' });
    expect(recipe!.topics.get('order.paid')!.fields.amount).toMatchObject({ source: 'order.amount', pointer: '/order/amount' });
  });

  it.each([
    ['a YAML error', GOOD.replace('topic: { header: X-Acme-Topic }', 'topic: { header: X-Acme-Topic'), /^\d+: YAML: /],
    ['an unknown top-level key', `${GOOD}webhook_secret: s3cr3t\n`, /^15: webhook_secret: unknown key; expected name, title, secret_env/],
    ['a secret written where its variable name goes (and not repeated)', GOOD.replace('secret_env: ACME_SECRET', 'secret_env: whsec_abc123'), /^3: secret_env: not an environment variable name(?!.*whsec_abc123)/],
    ['no signature', GOOD.replace(/signature:\n {2}header: X-Acme-Signature\n {2}encoding: base64\n/, ''), /^1: signature: missing `signature:`/],
    ['an encoding the verifier does not have', GOOD.replace('encoding: base64', 'encoding: md5'), /^6: signature.encoding: "md5": expected `base64` or `hex`/],
    ['a signed timestamp without its header', GOOD.replace('  encoding: base64\n', '  encoding: base64\n  signed: [timestamp, body]\n'), /^7: signature.signed\[0\]: `timestamp` is signed, but the scheme declares no `timestamp:`/],
    ['signed parts that leave out the body', GOOD.replace('  encoding: base64\n', '  encoding: base64\n  signed: [method, url]\n'), /^7: signature.signed: the signed parts must include `body`/],
    ['a tolerance out of range', GOOD.replace('  encoding: base64\n', '  encoding: base64\n  timestamp: { header: X-T, unit: s, tolerance_seconds: 0 }\n'), /^7: signature.timestamp.tolerance_seconds: expected a whole number of seconds from 1 to 86400/],
    ['an unknown amounts kind', GOOD.replace('amounts: minor', 'amounts: cents'), /^8: amounts: "cents": expected `minor`/],
    ['an unknown trigger', GOOD.replace('trigger: order.paid', 'trigger: order.created'), /^11: topics\["order.paid"\].trigger: unknown trigger "order.created"/],
    ['a missing required field', GOOD.replace('    currency: order.currency\n', ''), /^11: topics\["order.paid"\].currency: missing `currency:`, required for order.paid/],
    ['a field path that does not parse', GOOD.replace('amount: order.amount', 'amount: order.(amount'), /^13: topics\["order.paid"\].amount: field path syntax: /],
    ['an empty field path', GOOD.replace('amount: order.amount', 'amount:'), /^13: topics\["order.paid"\].amount: expected a field path/],
    ['a field the trigger does not take', GOOD.replace('    currency: order.currency\n', '    currency: order.currency\n    refund_id: order.refund\n'), /^15: topics\["order.paid"\].refund_id: unknown key/],
    ['a refund without an amount', GOOD.replace('trigger: order.paid', 'trigger: order.refunded').replace('    amount: order.amount\n', ''), /^11: topics\["order.paid"\].amount: a refund needs `amount:`/],
    ['a name that cannot be a route', GOOD.replace('name: acme', 'name: Acme POS'), /^1: name: name "Acme POS" must be lower-case letters/],
  ])('reports %s with its line', (_what, text, expected) => {
    const problems = problemsOf(text);
    expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
    expect(loadRecipeFile('/recipes/acme.yaml', text).recipe).toBeUndefined();
  });
});
