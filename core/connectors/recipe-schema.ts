/**
 * A connector recipe (docs/recipes.md): a YAML file that wires a platform signing JSON webhooks
 * with an HMAC, without code. This module reads one file into a checked `Recipe` — or the
 * problems that stop it, each with file, line, where in the recipe and why — the way mapping
 * files are read (core/mappings/parse-mapping.ts): the YAML is walked as nodes, so every
 * problem names its line. Field paths are Jexl expressions, as mappings' conditions are
 * (docs/mappings.md), compiled here so a syntax error is a start-up problem, never a silent
 * miss at the first delivery.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import jexl from 'jexl';
import { Scalar, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { formatPath, parseSource, type Segment, type SourceFile } from '../mappings/source.js';
import type { HmacSignatureScheme, SignedPart } from './hmac-signature.js';

/** A private Jexl: no transforms and no functions, so a recipe reads the payload and nothing else. */
const paths = new jexl.Jexl();
type Expression = ReturnType<typeof paths.compile>;
type Ast = ReturnType<Expression['_getAst']>;

/** A compiled field path and where it was written (for the 400's pointer and detail). */
export interface FieldPath {
  source: string;
  expression: Expression;
  /** `topics.order_created.amount` */
  at: string;
  /** The JSON pointer of the payload field the path reads, when it is a plain path (`/data/id`). */
  pointer: string;
}

export type Locator = { header: string } | { path: FieldPath };

export const RECIPE_TRIGGERS = ['order.paid', 'order.refunded', 'order.cancelled', 'customer.created', 'customer.updated'] as const;
export type RecipeTrigger = (typeof RECIPE_TRIGGERS)[number];

export const CUSTOMER_FIELDS = ['platform_id', 'email', 'phone', 'first_name', 'last_name'] as const;
export const LINE_ITEM_FIELDS = ['id', 'sku', 'product_id', 'quantity', 'unit_price', 'total'] as const;

/** The field paths each trigger type takes: required ones first. */
const FIELDS: Record<RecipeTrigger, { required: string[]; optional: string[] }> = {
  'order.paid': { required: ['order_id', 'amount', 'currency'], optional: ['total', 'channel', 'location', 'occurred_at', 'discount_codes'] },
  'order.refunded': { required: ['order_id', 'currency'], optional: ['refund_id', 'amount', 'refunded_total', 'full', 'occurred_at'] },
  'order.cancelled': { required: ['order_id'], optional: ['occurred_at'] },
  'customer.created': { required: [], optional: ['occurred_at'] },
  'customer.updated': { required: [], optional: ['occurred_at'] },
};

export interface LineItemPaths {
  each: FieldPath;
  fields: Partial<Record<(typeof LINE_ITEM_FIELDS)[number], FieldPath>>;
}

export interface TopicRule {
  topic: string;
  trigger: RecipeTrigger;
  when?: FieldPath;
  fields: Record<string, FieldPath>;
  customer: Partial<Record<(typeof CUSTOMER_FIELDS)[number], FieldPath>>;
  lineItems?: LineItemPaths;
  /** Refunds: what their amounts are a part of (core/triggers/trigger-event.ts, RefundFacts). */
  measuredAgainst: 'amount' | 'total';
}

export interface Recipe {
  name: string;
  /** The line of `name:` (1 when the name is the file's). */
  nameLine: number;
  title: string;
  file: string;
  secretEnv: string;
  signature: HmacSignatureScheme;
  deliveryId?: Locator;
  topic: Locator;
  /** `minor`: amounts are integers in minor units; `decimal`: decimal amounts of `currency`. */
  amounts: 'minor' | 'decimal';
  topics: Map<string, TopicRule>;
}

export interface RecipeProblem {
  file: string;
  /** 1-based line of the offending node. */
  line: number;
  /** Where in the recipe, e.g. `topics.order_created.amount`; empty for the file as a whole. */
  path: string;
  reason: string;
}

const TOP_KEYS = ['name', 'title', 'secret_env', 'signature', 'delivery_id', 'topic', 'amounts', 'topics'];
const SIGNATURE_KEYS = ['header', 'encoding', 'prefix', 'separator', 'signed', 'timestamp'];
/** Names become `/webhooks/<name>`, the trigger ids' source and members' aliases (`<name>:<id>`). */
export const RECIPE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,99}$/;
/** An HTTP header name (RFC 9110 token). */
const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/** Reads and checks one recipe file. */
export function loadRecipeFile(file: string, text?: string): { recipe?: Recipe; problems: RecipeProblem[] } {
  let content: string;
  try {
    content = text ?? readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [{ file, line: 1, path: '', reason: `cannot read: ${(error as Error).message}` }] };
  }
  const { source, errors } = parseSource(file, content);
  if (errors.length > 0) return { problems: errors.map((e) => ({ file, line: e.line, path: '', reason: `YAML: ${e.reason}` })) };
  const root = source.doc.contents as Node | null;
  if (!root) return { problems: [{ file, line: 1, path: '', reason: 'empty file: expected a recipe (`name:`, `secret_env:`, `signature:`, `topic:`, `topics:`)' }] };
  return new RecipeReader(source, basename(file, extname(file))).read(root);
}

class RecipeReader {
  readonly problems: RecipeProblem[] = [];
  constructor(
    private readonly source: SourceFile,
    private readonly fileBase: string,
  ) {}

  problem(node: Node | null | undefined, path: readonly Segment[], reason: string): undefined {
    this.problems.push({ file: this.source.file, line: this.source.lineOf(node), path: formatPath(path), reason });
    return undefined;
  }

  read(root: Node): { recipe?: Recipe; problems: RecipeProblem[] } {
    if (!isMap(root)) {
      this.problem(root, [], 'a recipe is a YAML map with `name:`, `secret_env:`, `signature:`, `topic:` and `topics:`');
      return { problems: this.problems };
    }
    this.unknownKeys(root, [], TOP_KEYS);

    const nameNode = valueOf(root, 'name');
    const name = nameNode ? this.text(nameNode, ['name']) : this.fileBase;
    if (name !== undefined && !RECIPE_NAME.test(name)) {
      this.problem(nameNode ?? root, ['name'], `${nameNode ? `name "${name}"` : `the file name "${name}" (the default name)`} must be lower-case letters, digits, "_" or "-", starting with a letter (at most 40): it becomes /webhooks/<name>`);
    }
    const titleNode = valueOf(root, 'title');
    const title = titleNode ? this.text(titleNode, ['title']) : name;

    const secretNode = valueOf(root, 'secret_env');
    let secretEnv: string | undefined;
    if (!secretNode) this.problem(root, ['secret_env'], 'missing `secret_env:`, the environment variable that holds the webhook signing secret (e.g. ACME_WEBHOOK_SECRET)');
    else {
      secretEnv = this.text(secretNode, ['secret_env']);
      if (secretEnv !== undefined && !ENV_NAME.test(secretEnv)) {
        // The value is not repeated: what was written here may be the secret itself.
        this.problem(secretNode, ['secret_env'], 'not an environment variable name (upper-case letters, digits and "_", e.g. ACME_WEBHOOK_SECRET); write the variable\'s name here, never the secret itself');
        secretEnv = undefined;
      }
    }

    const signature = this.signature(root);
    const deliveryNode = valueOf(root, 'delivery_id');
    const deliveryId = deliveryNode ? this.locator(deliveryNode, ['delivery_id']) : undefined;
    const topicNode = valueOf(root, 'topic');
    const topic = topicNode ? this.locator(topicNode, ['topic']) : this.problem(root, ['topic'], 'missing `topic:`, where the event type is: `{ header: X-Event-Name }` or `{ path: meta.event_name }`');

    const amountsNode = valueOf(root, 'amounts');
    let amounts: Recipe['amounts'] | undefined;
    if (!amountsNode) this.problem(root, ['amounts'], 'missing `amounts:`: `minor` (integers in minor units, 1199 for 11.99 USD) or `decimal` ("11.99", read with the currency)');
    else {
      const value = this.text(amountsNode, ['amounts']);
      if (value === 'minor' || value === 'decimal') amounts = value;
      else if (value !== undefined) this.problem(amountsNode, ['amounts'], `"${value}": expected \`minor\` (integers in minor units) or \`decimal\` (decimal amounts of the currency)`);
    }

    const topics = this.topics(root);
    if (this.problems.length > 0 || !name || !title || !secretEnv || !signature || !topic || !amounts || !topics) {
      return { problems: this.problems.sort((a, b) => a.line - b.line) };
    }
    return { recipe: { name, nameLine: nameNode ? this.source.lineOf(nameNode) : 1, title, file: this.source.file, secretEnv, signature, deliveryId, topic, amounts, topics }, problems: [] };
  }

  unknownKeys(map: YAMLMap, path: Segment[], known: readonly string[]): void {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' || !known.includes(key)) {
        this.problem(pair.key as Node, [...path, String(key)], `unknown key; expected ${known.join(', ')}`);
      }
    }
  }

  /** A non-empty string scalar, or a problem. */
  text(node: Node, path: Segment[]): string | undefined {
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value.trim();
    return this.problem(node, path, 'expected text');
  }

  expression(node: Node, path: Segment[]): FieldPath | undefined {
    const source = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined;
    if (!source) return this.problem(node, path, 'expected a field path such as `data.attributes.total` (Jexl, as in docs/mappings.md; literal text in quotes: "\'online\'")');
    try {
      const expression = paths.compile(source);
      return { source, expression, at: formatPath(path), pointer: pointerOf(expression._getAst()) };
    } catch (error) {
      return this.problem(node, path, `field path syntax: ${(error as Error).message}`);
    }
  }

  locator(node: Node, path: Segment[]): Locator | undefined {
    const what = 'expected `{ header: <name> }` or `{ path: <field path> }`';
    if (!isMap(node) || node.items.length !== 1) return this.problem(node, path, what);
    this.unknownKeys(node, path, ['header', 'path']);
    const header = valueOf(node, 'header');
    if (header) {
      const name = this.text(header, [...path, 'header']);
      if (name === undefined) return undefined;
      if (!HEADER.test(name)) return this.problem(header, [...path, 'header'], `"${name}" is not an HTTP header name`);
      return { header: name };
    }
    const expr = valueOf(node, 'path');
    if (!expr) return undefined;
    const compiled = this.expression(expr, [...path, 'path']);
    return compiled ? { path: compiled } : undefined;
  }

  signature(root: YAMLMap): HmacSignatureScheme | undefined {
    const node = valueOf(root, 'signature');
    const path = ['signature'];
    if (!node) return this.problem(root, path, 'missing `signature:`, the platform\'s HMAC-SHA256 scheme (`header:`, `encoding:` and optionally `prefix:`, `separator:`, `signed:`, `timestamp:`)');
    if (!isMap(node)) return this.problem(node, path, 'expected a map: `header:`, `encoding:` and optionally `prefix:`, `separator:`, `signed:`, `timestamp:`');
    const before = this.problems.length;
    this.unknownKeys(node, path, SIGNATURE_KEYS);

    const headerNode = valueOf(node, 'header');
    let header: string | undefined;
    if (!headerNode) this.problem(node, [...path, 'header'], 'missing `header:`, the request header carrying the signature');
    else {
      header = this.text(headerNode, [...path, 'header']);
      if (header !== undefined && !HEADER.test(header)) this.problem(headerNode, [...path, 'header'], `"${header}" is not an HTTP header name`);
    }

    const encodingNode = valueOf(node, 'encoding');
    let encoding: 'base64' | 'hex' | undefined;
    if (!encodingNode) this.problem(node, [...path, 'encoding'], 'missing `encoding:`, `base64` or `hex` (how the platform writes the HMAC-SHA256 digest)');
    else {
      const value = this.text(encodingNode, [...path, 'encoding']);
      if (value === 'base64' || value === 'hex') encoding = value;
      else if (value !== undefined) this.problem(encodingNode, [...path, 'encoding'], `"${value}": expected \`base64\` or \`hex\``);
    }

    const optionalText = (key: 'prefix' | 'separator'): string | undefined => {
      const n = valueOf(node, key);
      if (!n) return undefined;
      // Not trimmed: a separator may be a space.
      if (isScalar(n) && typeof n.value === 'string' && n.value !== '' && n.value.length <= 20) return n.value;
      return this.problem(n, [...path, key], 'expected text of 1 to 20 characters');
    };
    const prefix = optionalText('prefix');
    const separator = optionalText('separator');

    let timestamp: HmacSignatureScheme['timestamp'];
    const tsNode = valueOf(node, 'timestamp');
    if (tsNode) {
      const tsPath = [...path, 'timestamp'];
      if (!isMap(tsNode)) this.problem(tsNode, tsPath, 'expected `{ header: <name>, unit: s | ms, tolerance_seconds: <1..86400> }`');
      else {
        this.unknownKeys(tsNode, tsPath, ['header', 'unit', 'tolerance_seconds']);
        const h = valueOf(tsNode, 'header');
        const hName = h ? this.text(h, [...tsPath, 'header']) : this.problem(tsNode, [...tsPath, 'header'], 'missing `header:`, the header carrying the signed time');
        if (h && hName !== undefined && !HEADER.test(hName)) this.problem(h, [...tsPath, 'header'], `"${hName}" is not an HTTP header name`);
        const u = valueOf(tsNode, 'unit');
        const unit = u ? this.text(u, [...tsPath, 'unit']) : this.problem(tsNode, [...tsPath, 'unit'], 'missing `unit:`, `s` (Unix seconds) or `ms`');
        if (u && unit !== undefined && unit !== 's' && unit !== 'ms') this.problem(u, [...tsPath, 'unit'], `"${unit}": expected \`s\` or \`ms\``);
        const t = valueOf(tsNode, 'tolerance_seconds');
        const tolerance = isScalar(t) ? t.value : undefined;
        if (!t) this.problem(tsNode, [...tsPath, 'tolerance_seconds'], 'missing `tolerance_seconds:`, how far the signed time may be from now, either way (e.g. 300)');
        else if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 1 || tolerance > 86_400) {
          this.problem(t, [...tsPath, 'tolerance_seconds'], 'expected a whole number of seconds from 1 to 86400');
        }
        if (hName && (unit === 's' || unit === 'ms') && typeof tolerance === 'number') timestamp = { header: hName, unit, toleranceSeconds: tolerance };
      }
    }

    let signed: SignedPart[] | undefined;
    const signedNode = valueOf(node, 'signed');
    if (signedNode) {
      const sPath = [...path, 'signed'];
      if (!isSeq(signedNode) || signedNode.items.length === 0) this.problem(signedNode, sPath, 'expected a list of what is signed, in order: body, method, url, timestamp, `{ header: <name> }`, `{ literal: <text> }`');
      else {
        signed = [];
        signedNode.items.forEach((item, i) => {
          const part = this.signedPart(item as Node, [...sPath, i], tsNode !== undefined);
          if (part) signed!.push(part);
        });
        if (!signed.includes('body')) this.problem(signedNode, sPath, 'the signed parts must include `body`: a signature that does not cover the body proves nothing about the payload');
      }
    }

    if (this.problems.length > before || !header || !encoding) return undefined;
    return { header, encoding, ...(prefix ? { prefix } : {}), ...(separator ? { separator } : {}), ...(signed ? { signed } : {}), ...(timestamp ? { timestamp } : {}) };
  }

  signedPart(node: Node, path: Segment[], hasTimestamp: boolean): SignedPart | undefined {
    if (isScalar(node) && typeof node.value === 'string') {
      const v = node.value.trim();
      if (v === 'timestamp' && !hasTimestamp) return this.problem(node, path, '`timestamp` is signed, but the scheme declares no `timestamp:` (its header, unit and tolerance)');
      if (v === 'body' || v === 'method' || v === 'url' || v === 'timestamp') return v;
    }
    if (isMap(node) && node.items.length === 1) {
      const header = valueOf(node, 'header');
      const literal = valueOf(node, 'literal');
      if (header) {
        const name = this.text(header, [...path, 'header']);
        if (name !== undefined && HEADER.test(name)) return { header: name };
        return name === undefined ? undefined : this.problem(header, [...path, 'header'], `"${name}" is not an HTTP header name`);
      }
      if (literal && isScalar(literal) && typeof literal.value === 'string' && literal.value.length <= 20) return { literal: literal.value };
    }
    return this.problem(node, path, 'expected body, method, url, timestamp, `{ header: <name> }` or `{ literal: <text of at most 20 characters> }`');
  }

  topics(root: YAMLMap): Map<string, TopicRule> | undefined {
    const node = valueOf(root, 'topics');
    if (!node) return this.problem(root, ['topics'], 'missing `topics:`, each platform topic with its `trigger:` (order.paid, order.refunded, …) and field paths');
    if (!isMap(node) || node.items.length === 0) return this.problem(node, ['topics'], 'expected a map of topics (`order_created: { trigger: order.paid, … }`)');
    const rules = new Map<string, TopicRule>();
    for (const pair of node.items as Pair<Node, Node>[]) {
      const topic = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (topic === undefined || topic.trim() === '') {
        this.problem(pair.key, ['topics'], 'a topic is the platform\'s event name, as text');
        continue;
      }
      const rule = this.topic(topic, pair.value, ['topics', topic]);
      if (rule) rules.set(topic, rule);
    }
    return rules;
  }

  topic(topic: string, node: Node | null, path: Segment[]): TopicRule | undefined {
    if (!node || !isMap(node)) return this.problem(node, path, `expected a map with \`trigger:\` (${RECIPE_TRIGGERS.join(', ')}) and field paths`);
    const before = this.problems.length;
    const triggerNode = valueOf(node, 'trigger');
    const triggerText = triggerNode ? this.text(triggerNode, [...path, 'trigger']) : undefined;
    if (!triggerNode) return this.problem(node, [...path, 'trigger'], `missing \`trigger:\`, one of ${RECIPE_TRIGGERS.join(', ')}`);
    if (triggerText === undefined) return undefined;
    if (!(RECIPE_TRIGGERS as readonly string[]).includes(triggerText)) return this.problem(triggerNode, [...path, 'trigger'], `unknown trigger "${triggerText}"; expected one of ${RECIPE_TRIGGERS.join(', ')}`);
    const trigger = triggerText as RecipeTrigger;
    const { required, optional } = FIELDS[trigger];
    const structured = ['customer', ...(trigger === 'order.paid' ? ['line_items'] : []), ...(trigger === 'order.refunded' ? ['measured_against'] : [])];
    this.unknownKeys(node, path, ['trigger', 'when', ...required, ...optional, ...structured]);

    const whenNode = valueOf(node, 'when');
    const when = whenNode ? this.expression(whenNode, [...path, 'when']) : undefined;
    const fields: Record<string, FieldPath> = {};
    for (const key of [...required, ...optional]) {
      const n = valueOf(node, key);
      if (!n) {
        if (required.includes(key)) this.problem(node, [...path, key], `missing \`${key}:\`, required for ${trigger}`);
        continue;
      }
      const compiled = this.expression(n, [...path, key]);
      if (compiled) fields[key] = compiled;
    }
    if (trigger === 'order.refunded' && !valueOf(node, 'amount') && !valueOf(node, 'refunded_total') && !valueOf(node, 'full')) {
      this.problem(node, [...path, 'amount'], 'a refund needs `amount:` (this refund), `refunded_total:` (all refunded so far) or `full:` (true when the whole order went back)');
    }
    if (trigger === 'order.refunded' && !valueOf(node, 'refund_id') && valueOf(node, 'amount')) {
      this.problem(node, [...path, 'refund_id'], 'missing `refund_id:`: with `amount:`, each refund needs its own id (with `refunded_total:` alone the id is derived from the order and the total)');
    }

    const customer: TopicRule['customer'] = {};
    const customerNode = valueOf(node, 'customer');
    if (customerNode) {
      const cPath = [...path, 'customer'];
      if (!isMap(customerNode)) this.problem(customerNode, cPath, `expected a map of ${CUSTOMER_FIELDS.join(', ')}`);
      else {
        this.unknownKeys(customerNode, cPath, CUSTOMER_FIELDS);
        for (const key of CUSTOMER_FIELDS) {
          const n = valueOf(customerNode, key);
          const compiled = n ? this.expression(n, [...cPath, key]) : undefined;
          if (compiled) customer[key] = compiled;
        }
      }
    }
    if ((trigger === 'customer.created' || trigger === 'customer.updated') && !customerNode) {
      this.problem(node, [...path, 'customer'], `missing \`customer:\`, required for ${trigger} (\`platform_id:\` at least)`);
    } else if ((trigger === 'customer.created' || trigger === 'customer.updated') && isMap(customerNode) && !valueOf(customerNode, 'platform_id')) {
      this.problem(customerNode, [...path, 'customer', 'platform_id'], `missing \`platform_id:\`, required for ${trigger} (the customer's id names the fact)`);
    }

    let lineItems: LineItemPaths | undefined;
    const linesNode = valueOf(node, 'line_items');
    if (linesNode) {
      const lPath = [...path, 'line_items'];
      if (!isMap(linesNode)) this.problem(linesNode, lPath, `expected a map: \`each:\` (the path of the list) and, read on each element, ${LINE_ITEM_FIELDS.join(', ')}`);
      else {
        this.unknownKeys(linesNode, lPath, ['each', ...LINE_ITEM_FIELDS]);
        const eachNode = valueOf(linesNode, 'each');
        const each = eachNode ? this.expression(eachNode, [...lPath, 'each']) : this.problem(linesNode, [...lPath, 'each'], 'missing `each:`, the path of the list of lines');
        const lineFields: LineItemPaths['fields'] = {};
        for (const key of LINE_ITEM_FIELDS) {
          const n = valueOf(linesNode, key);
          if (!n) {
            if (key === 'quantity' || key === 'total') this.problem(linesNode, [...lPath, key], `missing \`${key}:\`, required for each line`);
            continue;
          }
          const compiled = this.expression(n, [...lPath, key]);
          if (compiled) lineFields[key] = compiled;
        }
        if (each) lineItems = { each, fields: lineFields };
      }
    }

    let measuredAgainst: TopicRule['measuredAgainst'] = 'amount';
    const measuredNode = valueOf(node, 'measured_against');
    if (measuredNode) {
      const value = this.text(measuredNode, [...path, 'measured_against']);
      if (value === 'amount' || value === 'total') measuredAgainst = value;
      else if (value !== undefined) this.problem(measuredNode, [...path, 'measured_against'], `"${value}": expected \`amount\` (refunds are parts of the amount earned on) or \`total\` (of the whole charge)`);
    }

    if (this.problems.length > before) return undefined;
    return { topic, trigger, ...(when ? { when } : {}), fields, customer, ...(lineItems ? { lineItems } : {}), measuredAgainst };
  }
}

function valueOf(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (!pair) return undefined;
  if (pair.value) return pair.value as Node;
  // `key:` with nothing after it: an empty value on the key's line, reported as such.
  const empty = new Scalar(null);
  empty.range = (pair.key as Node).range;
  return empty;
}

/**
 * The payload field a path reads, as a JSON pointer (`data.attributes.total` →
 * `/data/attributes/total`), for the 400 that names what was missing. A computed path
 * (`a.b - a.c`) points at its first plain path.
 */
function pointerOf(ast: Ast | undefined): string {
  const chain = (node: Ast | undefined): string[] | null => {
    if (!node) return null;
    if (node.type === 'Identifier' && !node.relative) {
      if (!node.from) return [node.value];
      const base = chain(node.from);
      return base ? [...base, node.value] : null;
    }
    if (node.type === 'FilterExpression' && node.expr.type === 'Literal' && typeof node.expr.value === 'number') {
      const base = chain(node.subject);
      return base ? [...base, String(node.expr.value)] : null;
    }
    return null;
  };
  const first = (node: Ast | undefined): string[] | null => {
    if (!node) return null;
    const direct = chain(node);
    if (direct) return direct;
    switch (node.type) {
      case 'BinaryExpression':
        return first(node.left) ?? first(node.right);
      case 'UnaryExpression':
        return first(node.right);
      case 'ConditionalExpression':
        return first(node.test) ?? first(node.consequent) ?? first(node.alternate);
      case 'FilterExpression':
        return first(node.subject);
      default:
        return null;
    }
  };
  const found = first(ast);
  return found ? found.map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('') : '';
}
