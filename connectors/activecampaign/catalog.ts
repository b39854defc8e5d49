/**
 * The account's loyalty custom fields and tags, found or created once per process and remembered
 * by id (a send names fields and tags by id, ActiveCampaign has no upsert by name for either).
 *
 * Every step is safe to repeat, so a send interrupted between two requests (rate limit, network,
 * restart) simply does it again: a field is looked up by its personalization tag before it is
 * created, a tag by its name; a look-up or creation that fails is forgotten, not cached.
 *
 * A field the hub creates is related to every list (`relid` 0), which is what makes it show on
 * contacts whatever list they are on; a field the merchant created keeps the lists they chose.
 */
import type { ActiveCampaignApi, RequestContext } from './api.js';
import { ActiveCampaignApiError } from './api.js';
import type { LoyaltyFieldDefinition } from './options.js';

interface FieldsAnswer {
  fields?: { id?: string; perstag?: string; title?: string }[];
  field?: { id?: string };
}
interface TagsAnswer {
  tags?: { id?: string; tag?: string; tagType?: string }[];
}
interface TagAnswer {
  tag?: { id?: string };
}

export interface Catalog {
  /** The id of the loyalty field, created (and related to every list) if the account lacks it. */
  fieldId(field: LoyaltyFieldDefinition, context: RequestContext): Promise<string>;
  /** The id of the contact tag of that name (case-insensitive); created if `create`, else undefined when absent. */
  tagId(name: string, create: boolean, context: RequestContext): Promise<string | undefined>;
}

export function createCatalog(api: ActiveCampaignApi): Catalog {
  const fields = new Map<string, Promise<string>>();
  /** Fields created here whose relation to every list is not made yet (it is made on the next try). */
  const unrelated = new Map<string, string>();
  const tags = new Map<string, string>();
  const creatingTags = new Map<string, Promise<string>>();

  const remember = <T>(cache: Map<string, Promise<T>>, key: string, work: () => Promise<T>): Promise<T> => {
    let pending = cache.get(key);
    if (!pending) {
      pending = work();
      cache.set(key, pending);
      pending.catch(() => {
        if (cache.get(key) === pending) cache.delete(key);
      });
    }
    return pending;
  };

  async function findField(field: LoyaltyFieldDefinition, context: RequestContext): Promise<string | undefined> {
    const { body } = await api.request<FieldsAnswer>('GET', `/fields?filters[perstag]=${encodeURIComponent(field.perstag)}&limit=100`, undefined, context);
    return body.fields?.find((f) => f.perstag?.toUpperCase() === field.perstag)?.id;
  }

  async function createField(field: LoyaltyFieldDefinition, context: RequestContext): Promise<string> {
    let answer: FieldsAnswer;
    try {
      ({ body: answer } = await api.request<FieldsAnswer>(
        'POST',
        '/fields',
        { field: { type: field.type, title: field.title, descript: field.descript, perstag: field.perstag, visible: 1 } },
        context,
      ));
    } catch (error) {
      if (error instanceof ActiveCampaignApiError && error.status === 422) {
        throw new ActiveCampaignApiError(
          422,
          undefined,
          `could not create the custom field "${field.title}" (%${field.perstag}%): ${error.reason ?? 'refused'} — ` +
            `if the account has a field of that title with another personalization tag, rename one of them`,
          error.request,
        );
      }
      throw error;
    }
    const id = answer.field?.id ?? answer.fields?.find((f) => f.perstag?.toUpperCase() === field.perstag)?.id;
    if (!id) throw new Error(`ActiveCampaign created the field "${field.title}" but did not say its id`);
    return id;
  }

  async function findTag(name: string, context: RequestContext): Promise<string | undefined> {
    const key = name.toLowerCase();
    const { body } = await api.request<TagsAnswer>('GET', `/tags?search=${encodeURIComponent(name)}&limit=100`, undefined, context);
    return body.tags?.find((t) => t.tag?.toLowerCase() === key && (t.tagType ?? 'contact') === 'contact')?.id;
  }

  async function findOrCreateTag(name: string, context: RequestContext): Promise<string> {
    const found = await findTag(name, context);
    if (found) return found;
    const { body } = await api.request<TagAnswer>('POST', '/tags', { tag: { tag: name, tagType: 'contact', description: 'Loyalty Hub' } }, context);
    if (!body.tag?.id) throw new Error(`ActiveCampaign created the tag "${name}" but did not say its id`);
    return body.tag.id;
  }

  return {
    fieldId(field, context) {
      return remember(fields, field.perstag, async () => {
        const id = unrelated.get(field.perstag) ?? (await findField(field, context));
        if (id && !unrelated.has(field.perstag)) return id;
        const created = id ?? (await createField(field, context));
        unrelated.set(field.perstag, created);
        await api.request('POST', '/fieldRels', { fieldRel: { field: Number(created), relid: 0 } }, context);
        unrelated.delete(field.perstag);
        return created;
      });
    },

    async tagId(name, create, context) {
      const key = name.toLowerCase();
      const known = tags.get(key);
      if (known) return known;
      // Sends that start together and need the same new tag share one look-up-or-create, so the
      // account does not get it twice; a tag only looked up (to remove it) may be absent, and
      // absence is not remembered (it may be created later).
      const id = create ? await remember(creatingTags, key, () => findOrCreateTag(name, context)) : await findTag(name, context);
      if (id) tags.set(key, id);
      return id;
    },
  };
}
