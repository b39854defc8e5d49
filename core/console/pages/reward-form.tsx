/**
 * The reward form of the rewards page (docs/console.md, "Rewards"): every field
 * `POST /v1/rewards` and `PATCH /v1/rewards/{id}` take (docs/api.md, "Rewards, redemption and
 * checkout"), and the translation of what was typed into the API's JSON. The console checks
 * nothing itself: a number that is not one, an unknown tier or a date in the past goes to the API
 * as typed and its refusal is shown beside the field (fields.tsx).
 */
import type { z } from '@hono/zod-openapi';
import type { RewardSchema } from '../../api/routes/rewards.js';
import { currencyExponent, isCurrency } from '../../triggers/money.js';
import { formatMoney } from '../components.js';
import { Field, inputAttributes, type FieldMessages } from '../fields.js';

export type Reward = z.infer<typeof RewardSchema>;

export const KINDS = [
  { value: 'voucher', label: 'Voucher' },
  { value: 'fixed_discount', label: 'Fixed discount' },
  { value: 'percentage_discount', label: 'Percentage discount' },
  { value: 'free_product', label: 'Free product' },
  { value: 'points_as_payment', label: 'Points as payment' },
] as const;

/** What a reward gives, in words: "Fixed discount, USD 5.00". */
export function describeKind(r: Reward): string {
  const label = KINDS.find((k) => k.value === r.kind)?.label ?? r.kind;
  if ((r.kind === 'fixed_discount' || r.kind === 'points_as_payment') && r.value !== null && r.currency && isCurrency(r.currency)) {
    return `${label}, ${formatMoney(r.value, r.currency, currencyExponent(r.currency))}`;
  }
  if (r.kind === 'percentage_discount' && r.percent !== null) return `${label}, ${r.percent} % off`;
  if (r.kind === 'free_product' && r.productSku) return `${label}, SKU ${r.productSku}`;
  return label;
}

/** `2026-12-01T10:00:00.000Z` → the value of a `datetime-local` input, in UTC to the second. */
const localValue = (isoText: string | null): string => (isoText ? isoText.slice(0, 19) : '');

/** A reward as the form's text fields (what an edit form starts from). */
export function rewardValues(r: Reward): Record<string, string> {
  const text = (v: string | number | null) => (v === null ? '' : String(v));
  return {
    name: r.name,
    description: text(r.description),
    kind: r.kind,
    cost: String(r.cost),
    value: text(r.value),
    currency: text(r.currency),
    percent: text(r.percent),
    productSku: text(r.productSku),
    codeSource: r.codeSource,
    stock: text(r.stock),
    perMemberLimit: text(r.perMemberLimit),
    tiers: r.tiers.join(', '),
    segments: r.segments.join(', '),
    validFrom: localValue(r.validFrom),
    validUntil: localValue(r.validUntil),
    voucherValidDays: text(r.voucherValidDays),
    ...Object.fromEntries(r.storeCodes.map((p) => [`storeCode:${p}`, 'on'])),
  };
}

/** A number field: empty is null; digits are a number; anything else goes as typed, for the API to refuse. */
export function numberOrText(value: string | undefined): number | string | null {
  const v = (value ?? '').trim();
  if (v === '') return null;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

const textOrNull = (value: string | undefined): string | null => (value ?? '').trim() || null;
const list = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);

/** A `datetime-local` value (UTC, as labelled) as ISO 8601; anything else as typed. */
function isoOrText(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  if (v === '') return null;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v)) return `${v}:00.000Z`;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(v)) return `${v}.000Z`;
  return v;
}

/** The form's fields as the JSON body of `POST /v1/rewards` (every field the API takes but `status`). */
export function rewardBody(fields: Record<string, string>, storePlatforms: readonly string[]): Record<string, unknown> {
  return {
    name: fields.name ?? '',
    description: textOrNull(fields.description),
    kind: fields.kind ?? '',
    cost: numberOrText(fields.cost),
    value: numberOrText(fields.value),
    currency: textOrNull(fields.currency),
    percent: numberOrText(fields.percent),
    productSku: textOrNull(fields.productSku),
    codeSource: fields.codeSource || 'generated',
    stock: numberOrText(fields.stock),
    perMemberLimit: numberOrText(fields.perMemberLimit),
    tiers: list(fields.tiers),
    segments: list(fields.segments),
    validFrom: isoOrText(fields.validFrom),
    validUntil: isoOrText(fields.validUntil),
    voucherValidDays: numberOrText(fields.voucherValidDays),
    storeCodes: storePlatforms.filter((p) => fields[`storeCode:${p}`] === 'on'),
  };
}

function same(field: string, typed: unknown, current: unknown): boolean {
  if ((field === 'validFrom' || field === 'validUntil') && typeof typed === 'string' && typeof current === 'string') {
    // The input holds seconds: a time with milliseconds that shows unchanged is unchanged.
    return Math.floor(Date.parse(typed) / 1000) === Math.floor(Date.parse(current) / 1000);
  }
  if (field === 'currency' && typeof typed === 'string' && typeof current === 'string') return typed.toUpperCase() === current;
  return JSON.stringify(typed) === JSON.stringify(current);
}

/**
 * The PATCH body: only the fields that differ from the reward as it is. An untouched field is
 * not sent again, so editing the stock of a reward whose validity has ended is not refused for
 * that old end date (the API wants a new `validUntil` ahead of its clock).
 */
export function changedFields(body: Record<string, unknown>, current: Reward): Record<string, unknown> {
  const now = current as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter(([field, typed]) => !same(field, typed, now[field])));
}

/** Field labels, for saying which fields an edit changed. */
export const FIELD_LABELS: Record<string, string> = {
  name: 'name',
  description: 'description',
  kind: 'kind',
  cost: 'cost',
  value: 'value',
  currency: 'currency',
  percent: 'percent',
  productSku: 'product SKU',
  codeSource: 'codes',
  stock: 'stock',
  perMemberLimit: 'limit per member',
  tiers: 'tiers',
  segments: 'segments',
  validFrom: 'valid from',
  validUntil: 'valid until',
  voucherValidDays: 'voucher validity',
  storeCodes: 'store codes',
};

/** Every field of a reward, filled with `values`, each with the API's message for it. */
export function RewardFields(props: { values: Record<string, string>; messages: FieldMessages; storePlatforms: readonly string[] }) {
  const { values: v, messages: m } = props;
  const attrs = (name: string, help = false) => inputAttributes(`reward-${name}`, name, m, help);
  return (
    <div class="reward-fields">
      <fieldset>
        <legend>What it is</legend>
        <Field id="reward-name" name="name" label="Name" messages={m}>
          <input {...attrs('name')} type="text" required maxlength={200} value={v.name ?? ''} />
        </Field>
        <Field id="reward-description" name="description" label="Description (optional)" messages={m}>
          <textarea {...attrs('description')} rows={2} maxlength={2000}>
            {v.description ?? ''}
          </textarea>
        </Field>
        <Field id="reward-kind" name="kind" label="Kind" messages={m}>
          <select {...attrs('kind')}>
            {KINDS.map((k) => (
              <option value={k.value} selected={k.value === (v.kind || 'voucher')}>
                {k.label}
              </option>
            ))}
          </select>
        </Field>
        <div class="field-row">
          <Field id="reward-value" name="value" label="Value, in minor units" help="Fixed discount and points as payment: 500 is 5.00." messages={m}>
            <input {...attrs('value', true)} type="number" inputmode="numeric" value={v.value ?? ''} />
          </Field>
          <Field id="reward-currency" name="currency" label="Currency" help="ISO 4217, e.g. USD." messages={m}>
            <input {...attrs('currency', true)} type="text" size={5} maxlength={3} value={v.currency ?? ''} />
          </Field>
          <Field id="reward-percent" name="percent" label="Percent off" help="Percentage discount: 1–100." messages={m}>
            <input {...attrs('percent', true)} type="number" inputmode="numeric" value={v.percent ?? ''} />
          </Field>
          <Field id="reward-productSku" name="productSku" label="Product SKU" help="Free product: the SKU given." messages={m}>
            <input {...attrs('productSku', true)} type="text" maxlength={100} value={v.productSku ?? ''} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>Cost and stock</legend>
        <div class="field-row">
          <Field id="reward-cost" name="cost" label="Cost in points" messages={m}>
            <input {...attrs('cost')} type="number" inputmode="numeric" required value={v.cost ?? ''} />
          </Field>
          <Field id="reward-stock" name="stock" label="Stock" help="How many can still be redeemed; empty: unlimited." messages={m}>
            <input {...attrs('stock', true)} type="number" inputmode="numeric" value={v.stock ?? ''} />
          </Field>
          <Field id="reward-perMemberLimit" name="perMemberLimit" label="Limit per member" help="Empty: no limit." messages={m}>
            <input {...attrs('perMemberLimit', true)} type="number" inputmode="numeric" value={v.perMemberLimit ?? ''} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>Who and when</legend>
        <div class="field-row">
          <Field id="reward-tiers" name="tiers" label="Tiers" help="Tier ids, separated by commas; empty: every member." messages={m}>
            <input {...attrs('tiers', true)} type="text" value={v.tiers ?? ''} />
          </Field>
          <Field id="reward-segments" name="segments" label="Segments" help="Segment ids, separated by commas; empty: every member." messages={m}>
            <input {...attrs('segments', true)} type="text" value={v.segments ?? ''} />
          </Field>
        </div>
        <div class="field-row">
          <Field id="reward-validFrom" name="validFrom" label="Valid from (UTC)" help="Empty: from now." messages={m}>
            <input {...attrs('validFrom', true)} type="datetime-local" step={1} value={v.validFrom ?? ''} />
          </Field>
          <Field id="reward-validUntil" name="validUntil" label="Valid until (UTC)" help="Empty: no end." messages={m}>
            <input {...attrs('validUntil', true)} type="datetime-local" step={1} value={v.validUntil ?? ''} />
          </Field>
          <Field id="reward-voucherValidDays" name="voucherValidDays" label="Voucher valid for (days)" help="Empty: the voucher does not expire." messages={m}>
            <input {...attrs('voucherValidDays', true)} type="number" inputmode="numeric" value={v.voucherValidDays ?? ''} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>Codes</legend>
        <Field
          id="reward-codeSource"
          name="codeSource"
          label="Voucher codes"
          help="Pool: codes you upload on the reward's page, one per redemption."
          messages={m}
        >
          <select {...attrs('codeSource', true)}>
            <option value="generated" selected={v.codeSource !== 'pool'}>
              Generated by the hub
            </option>
            <option value="pool" selected={v.codeSource === 'pool'}>
              From an uploaded pool
            </option>
          </select>
        </Field>
        {props.storePlatforms.length ? (
          <fieldset class="checks" aria-describedby={m.get('storeCodes') ? 'reward-storeCodes-error' : undefined}>
            <legend>Also create the voucher as a code in these stores</legend>
            {props.storePlatforms.map((p) => (
              <label class="check">
                <input type="checkbox" name={`storeCode:${p}`} checked={v[`storeCode:${p}`] === 'on'} /> {p}
              </label>
            ))}
            {m.get('storeCodes') ? (
              <p class="field-error" id="reward-storeCodes-error">
                {m.get('storeCodes')!.join('; ')}
              </p>
            ) : null}
          </fieldset>
        ) : null}
      </fieldset>
    </div>
  );
}
