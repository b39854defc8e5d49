/**
 * Recipes as connectors (docs/recipes.md): every `*.yaml` of `connectors/recipes/` (shipped) and
 * of the folder named by `LOYALTY_RECIPES` becomes a `ConnectorDefinition` built here, so a
 * platform wired by a recipe gets what a coded connector gets — `POST /webhooks/<name>`, the
 * inbox, exactly-once, refunds, replay — through the same core path
 * (docs/adding-a-connector.md). The handler only verifies (the shared HMAC verifier,
 * core/connectors/hmac-signature.ts) and translates (the recipe's field paths); it fails closed:
 * a signature it cannot check is a 401, a required field that its path does not find is a 400
 * naming the field as a JSON pointer, and amounts go through `toMinorUnits` or an exact integer
 * reading, never a float.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCurrency, MoneyError, normalizeCurrency, toMinorUnits } from '../triggers/money.js';
import type { PlatformTrigger } from '../triggers/order-identity.js';
import type { LineItem, TriggerCustomer } from '../triggers/trigger-event.js';
import { jsonObjectBody, parsedBody } from './body.js';
import { InboundPayloadError, type ConnectorDefinition, type InboundHandler, type InboundRequest, type NormalizeResult } from './definition.js';
import { hmacVerifier } from './hmac-signature.js';
import { isObject, withoutUndefined, type JsonObject } from './payload.js';
import { loadRecipeFile, type FieldPath, type Locator, type Recipe, type RecipeProblem, type TopicRule } from './recipe-schema.js';

export const shippedRecipesFolder = fileURLToPath(new URL('../../connectors/recipes/', import.meta.url));

export interface LoadedRecipe {
  recipe: Recipe;
  definition: ConnectorDefinition;
}

export interface RecipesLoad {
  recipes: LoadedRecipe[];
  problems: RecipeProblem[];
}

/** Where recipes are read from: the shipped folder (when wanted) and `LOYALTY_RECIPES`. */
export function recipeFolders(env: Record<string, string | undefined>, options: { shipped: boolean }): string[] {
  const folders = options.shipped ? [shippedRecipesFolder] : [];
  const own = env.LOYALTY_RECIPES?.trim();
  if (own) folders.push(resolve(own));
  return folders;
}

/** The recipe files of a folder, in name order (hidden files skipped). */
export function listRecipeFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && ['.yaml', '.yml'].includes(extname(e.name)))
    .map((e) => join(folder, e.name))
    .sort();
}

/**
 * Every recipe of `folders`, checked: its own problems, a name a coded connector (`reserved`)
 * or an earlier recipe already has, and a folder that does not exist (`LOYALTY_RECIPES` naming
 * nothing is a mistake to report, not an empty list). The shipped folder may be absent.
 */
export function loadRecipes(folders: readonly string[], reserved: readonly string[]): RecipesLoad {
  const recipes: LoadedRecipe[] = [];
  const problems: RecipeProblem[] = [];
  for (const folder of folders) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      if (folder !== shippedRecipesFolder) problems.push({ file: folder, line: 1, path: '', reason: 'no such folder (LOYALTY_RECIPES names the folder holding the recipes)' });
      continue;
    }
    for (const file of listRecipeFiles(folder)) {
      const { recipe, problems: found } = loadRecipeFile(file);
      problems.push(...found);
      if (!recipe) continue;
      if (reserved.includes(recipe.name)) {
        problems.push({ file, line: recipe.nameLine, path: 'name', reason: `"${recipe.name}" is a coded connector (connectors/${recipe.name}/); give the recipe another name` });
        continue;
      }
      const twin = recipes.find((r) => r.recipe.name === recipe.name);
      if (twin) {
        problems.push({ file, line: recipe.nameLine, path: 'name', reason: `recipe name "${recipe.name}" is already used by ${twin.recipe.file}` });
        continue;
      }
      recipes.push({ recipe, definition: recipeDefinition(recipe) });
    }
  }
  return { recipes, problems };
}

/** `file:line: path: reason`, as `connectors check` and the start-up error print a problem. */
export function formatRecipeProblem(p: RecipeProblem, shown: (file: string) => string = (f) => f): string {
  return `${shown(p.file)}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.reason}`;
}

export class RecipeLoadError extends Error {
  constructor(readonly problems: RecipeProblem[]) {
    super(`connector recipes have ${problems.length} problem${problems.length === 1 ? '' : 's'} (run \`loyalty-hub connectors check\`):\n${problems.map((p) => `  ${formatRecipeProblem(p)}`).join('\n')}`);
    this.name = 'RecipeLoadError';
  }
}

/**
 * The coded connectors followed by the recipes' definitions; a bad recipe is a start-up error
 * naming file, line and reason (RecipeLoadError), so the hub never runs a half-read recipe.
 */
export function withRecipes(coded: readonly ConnectorDefinition[], env: Record<string, string | undefined>, options: { shipped: boolean }): ConnectorDefinition[] {
  const { recipes, problems } = loadRecipes(recipeFolders(env, options), coded.map((d) => d.name));
  if (problems.length > 0) throw new RecipeLoadError(problems);
  return [...coded, ...recipes.map((r) => r.definition)];
}

/** A recipe as a connector: inbound only, disabled while its secret variable is unset. */
export function recipeDefinition(recipe: Recipe): ConnectorDefinition {
  return {
    name: recipe.name,
    title: recipe.title,
    directions: ['inbound'],
    config: [{ env: recipe.secretEnv, secret: true, required: true, description: `The signing secret of the ${recipe.title} webhooks (recipe ${recipe.file})` }],
    createInbound: (env) => recipeInbound(recipe, env[recipe.secretEnv] ?? ''),
  };
}

export function recipeInbound(recipe: Recipe, secret: string): InboundHandler {
  const locate = (locator: Locator | undefined, request: InboundRequest): string | undefined => {
    if (!locator) return undefined;
    if ('header' in locator) return request.headers.get(locator.header)?.trim() || undefined;
    // Recorded before anything is validated: must not throw.
    const entry = parsedBody(request);
    if ('error' in entry || !isObject(entry.value)) return undefined;
    try {
      return idText(locator.path.expression.evalSync(entry.value));
    } catch {
      return undefined;
    }
  };
  return {
    verify: hmacVerifier(recipe.signature, secret),
    deliveryId: (request) => locate(recipe.deliveryId, request),
    topic: (request) => locate(recipe.topic, request),
    normalize: async (request): Promise<NormalizeResult> => {
      const body = jsonObjectBody(request);
      const topic = locate(recipe.topic, request);
      if (topic === undefined) return { status: 'ignored', reason: `no topic (${'header' in recipe.topic ? `header ${recipe.topic.header}` : recipe.topic.path.source})` };
      const rule = recipe.topics.get(topic);
      if (!rule) return { status: 'ignored', reason: `topic ${topic} is not in the recipe` };
      const reader = new PayloadReader(recipe, rule, body);
      if (rule.when) {
        const holds = reader.value(rule.when);
        // A condition that cannot be evaluated refuses (400), rather than quietly ignoring.
        reader.throwIfInvalid(topic);
        if (!holds) return { status: 'ignored', reason: `topic ${topic}: \`when: ${rule.when.source}\` does not hold` };
      }
      const trigger = reader.trigger(request);
      reader.throwIfInvalid(topic);
      if (!trigger) throw new InboundPayloadError(`${recipe.title} ${topic} payload cannot be read`);
      return { status: 'events', events: [trigger] };
    },
  };
}

type Problem = { pointer: string; detail: string };

/**
 * Reads one payload with a topic's field paths. Problems are collected, not thrown one by one,
 * so a rejected delivery names every missing field at once (as `requireFields` does).
 */
class PayloadReader {
  readonly errors: Problem[] = [];
  constructor(
    private readonly recipe: Recipe,
    private readonly rule: TopicRule,
    private readonly body: JsonObject,
  ) {}

  private fail(path: FieldPath, detail: string, pointer = path.pointer): undefined {
    this.errors.push({ pointer, detail: `${detail} (recipe ${path.at}: ${path.source})` });
    return undefined;
  }

  /** The path's value; a path that cannot be evaluated at all is a problem of the payload. */
  value(path: FieldPath, context: unknown = this.body, pointer = path.pointer): unknown {
    try {
      return path.expression.evalSync(context as Record<string, unknown>);
    } catch (error) {
      return this.fail(path, `cannot be read: ${(error as Error).message}`, pointer);
    }
  }

  private field(key: string): FieldPath | undefined {
    return this.rule.fields[key];
  }

  /** Text (or a whole number, written as text): ids, e-mail, channel. */
  text(path: FieldPath | undefined, what: string, required: boolean, context?: unknown, pointer?: string): string | undefined {
    if (!path) return undefined;
    const value = this.value(path, context, pointer);
    if (isAbsent(value)) return required ? this.fail(path, `${what} is required; the path found nothing`, pointer) : undefined;
    const text = idText(value);
    return text ?? this.fail(path, `${what} must be text or a whole number`, pointer);
  }

  /** An amount in minor units: an exact integer (`amounts: minor`) or a decimal through toMinorUnits. */
  amount(path: FieldPath | undefined, what: string, currency: string | undefined, required: boolean, context?: unknown, pointer?: string): number | undefined {
    if (!path) return undefined;
    const value = this.value(path, context, pointer);
    if (isAbsent(value)) return required ? this.fail(path, `${what} is required; the path found nothing`, pointer) : undefined;
    if (currency === undefined) return undefined;
    let minor: number;
    if (this.recipe.amounts === 'minor') {
      const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
      if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) return this.fail(path, `${what} must be a whole number of minor units (amounts: minor)`, pointer);
      minor = Number(text);
    } else {
      if (typeof value !== 'string' && typeof value !== 'number') return this.fail(path, `${what} must be a decimal amount`, pointer);
      try {
        minor = toMinorUnits(value, currency);
      } catch (error) {
        if (error instanceof MoneyError) return this.fail(path, `${what}: ${error.message}`, pointer);
        throw error;
      }
    }
    if (minor < 0) return this.fail(path, `${what} must not be negative`, pointer);
    return minor === 0 ? 0 : minor;
  }

  currency(): string | undefined {
    const path = this.field('currency');
    if (!path) return undefined;
    const value = this.value(path);
    if (isAbsent(value)) return this.fail(path, 'the currency is required; the path found nothing');
    if (typeof value !== 'string' || !isCurrency(value)) return this.fail(path, 'an ISO 4217 currency code is required');
    return normalizeCurrency(value);
  }

  /** ISO 8601 text, or Unix seconds (milliseconds from 10^12 on); the delivery's arrival without a path. */
  occurredAt(): number {
    const path = this.field('occurred_at');
    if (!path) return Date.now();
    const value = this.value(path);
    if (isAbsent(value)) return Date.now();
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value < 1e12 ? value * 1000 : value;
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value.trim())) {
      const at = Date.parse(value.trim());
      if (Number.isFinite(at)) return at;
    }
    this.fail(path, 'a time is required as ISO 8601 text or Unix seconds');
    return Date.now();
  }

  customer(): TriggerCustomer | undefined {
    const c = this.rule.customer;
    const facts = withoutUndefined({
      platformId: this.text(c.platform_id, 'the customer id', this.rule.trigger.startsWith('customer.')),
      email: this.text(c.email, 'the e-mail', false),
      phone: this.text(c.phone, 'the phone number', false),
      firstName: this.text(c.first_name, 'the first name', false),
      lastName: this.text(c.last_name, 'the last name', false),
    });
    return Object.keys(facts).length > 0 ? facts : undefined;
  }

  lineItems(currency: string | undefined): LineItem[] {
    const spec = this.rule.lineItems;
    if (!spec) return [];
    const list = this.value(spec.each);
    if (isAbsent(list)) return [];
    if (!Array.isArray(list)) {
      this.fail(spec.each, 'the line items must be a list');
      return [];
    }
    const lines: LineItem[] = [];
    list.forEach((item: unknown, index) => {
      const at = (p: FieldPath | undefined) => `${spec.each.pointer}/${index}${p?.pointer ?? ''}`;
      if (!isObject(item)) {
        this.fail(spec.each, 'each line item must be an object', at(undefined));
        return;
      }
      const f = spec.fields;
      const quantityValue = f.quantity ? this.value(f.quantity, item, at(f.quantity)) : undefined;
      const quantity = typeof quantityValue === 'string' && /^\d{1,9}$/.test(quantityValue.trim()) ? Number(quantityValue) : quantityValue;
      if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 0) {
        this.fail(f.quantity!, 'the quantity must be a non-negative whole number', at(f.quantity));
        return;
      }
      const total = this.amount(f.total, 'the line total', currency, true, item, at(f.total));
      if (total === undefined) return;
      const unitPrice = this.amount(f.unit_price, 'the unit price', currency, false, item, at(f.unit_price)) ?? (quantity > 0 ? Math.round(total / quantity) : total);
      lines.push(
        withoutUndefined({
          id: this.text(f.id, 'the line id', false, item, at(f.id)),
          sku: this.text(f.sku, 'the SKU', false, item, at(f.sku)),
          productId: this.text(f.product_id, 'the product id', false, item, at(f.product_id)),
          quantity,
          unitPrice,
          total,
        }),
      );
    });
    return lines;
  }

  discountCodes(): string[] {
    const path = this.field('discount_codes');
    if (!path) return [];
    const value = this.value(path);
    if (isAbsent(value)) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.fail(path, 'the discount codes must be a list of text');
      return [];
    }
    return value.map((v: string) => v.trim()).filter((v) => v !== '');
  }

  trigger(request: InboundRequest): PlatformTrigger | undefined {
    const source = this.recipe.name;
    const occurredAt = this.occurredAt();
    const customer = this.customer();
    switch (this.rule.trigger) {
      case 'order.paid': {
        const id = this.text(this.field('order_id'), 'the order id', true);
        const currency = this.currency();
        const amount = this.amount(this.field('amount'), 'the amount', currency, true);
        const total = this.amount(this.field('total'), 'the total', currency, false);
        const channel = this.text(this.field('channel'), 'the channel', false) ?? 'online';
        const location = this.text(this.field('location'), 'the location', false);
        const lineItems = this.lineItems(currency);
        const discountCodes = this.discountCodes();
        if (id === undefined || currency === undefined || amount === undefined) return undefined;
        return withoutUndefined({
          type: 'order.paid' as const,
          source,
          occurredAt,
          customer,
          order: withoutUndefined({ id, channel, location, currency, amount, total, discountCodes, lineItems }),
        });
      }
      case 'order.refunded': {
        const orderId = this.text(this.field('order_id'), 'the refunded order id', true);
        const currency = this.currency();
        const amount = this.amount(this.field('amount'), 'the refund amount', currency, false);
        const refundedTotal = this.amount(this.field('refunded_total'), 'the refunded total', currency, false);
        const fullPath = this.field('full');
        const fullValue = fullPath ? this.value(fullPath) : undefined;
        if (fullPath && !isAbsent(fullValue) && typeof fullValue !== 'boolean') this.fail(fullPath, '`full` must be true or false');
        const full = fullValue === true ? true : undefined;
        const given = this.text(this.field('refund_id'), 'the refund id', this.field('refunded_total') === undefined && !full);
        if (orderId === undefined || currency === undefined) return undefined;
        if (amount === undefined && refundedTotal === undefined && !full) {
          const path = this.field('amount') ?? this.field('refunded_total') ?? fullPath!;
          return this.fail(path, 'the refund names no amount: the paths found nothing');
        }
        const refundId = given ?? (full ? `${orderId}:full` : `${orderId}:total:${refundedTotal}`);
        return withoutUndefined({
          type: 'order.refunded' as const,
          source,
          occurredAt,
          customer,
          refund: withoutUndefined({ orderId, refundId, currency, amount, refundedTotal, full, measuredAgainst: this.rule.measuredAgainst }),
        });
      }
      case 'order.cancelled': {
        const id = this.text(this.field('order_id'), 'the cancelled order id', true);
        if (id === undefined) return undefined;
        return withoutUndefined({ type: 'order.cancelled' as const, source, occurredAt, customer, order: { id } });
      }
      case 'customer.created':
      case 'customer.updated': {
        const platformId = customer?.platformId;
        if (platformId === undefined) return undefined;
        // Created once per customer; each update is its own fact, named by its time (or, without
        // one, by the delivered body) so that a resend of the same change keeps its id.
        const id =
          this.rule.trigger === 'customer.created'
            ? `${source}:customer:${platformId}:created`
            : `${source}:customer:${platformId}:updated:${this.field('occurred_at') ? occurredAt : createHash('sha256').update(request.rawBody).digest('hex').slice(0, 32)}`;
        return { type: this.rule.trigger, id, source, occurredAt, ...(customer ? { customer } : {}) };
      }
    }
  }

  throwIfInvalid(topic: string): void {
    if (this.errors.length === 0) return;
    throw new InboundPayloadError(`${this.recipe.title} ${topic} payload lacks ${this.errors.map((e) => e.pointer || '(computed)').join(', ')}`, this.errors);
  }
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Ids arrive as text or as JSON numbers (`"id": 1`); anything else is not an id. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
