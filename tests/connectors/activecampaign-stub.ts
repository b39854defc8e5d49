/**
 * An ActiveCampaign account standing in for `https://<account>.api-us1.com` at the network edge
 * (msw): it keeps custom fields, tags, contacts and their tag links, and answers each endpoint the
 * adapter uses with the shape ActiveCampaign documents (the examples in
 * tests/fixtures/platform-samples/activecampaign/, with this account's ids). Every request is
 * recorded as sent; `failNext` makes chosen requests fail the way ActiveCampaign fails.
 */
import { http, HttpResponse, type DefaultBodyType, type StrictRequest } from 'msw';
import type { SetupServer } from 'msw/node';

export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/api/3/tags?search=Loyalty%20tier%3A%20Gold&limit=100`. */
  url: string;
  apiToken: string | null;
  contentType: string | null;
  body: unknown;
}

type Failure = { when: (r: SeenRequest) => boolean; answer: () => Response; times: number };


export function activeCampaignAccount(server: Pick<SetupServer, 'use'>, api: string) {
  let nextId = 100;
  const id = () => String(nextId++);
  const state = {
    fields: [] as { id: string; title: string; perstag: string; type: string }[],
    fieldRels: [] as { field: number; relid: number }[],
    tags: [] as { id: string; tag: string; tagType: string }[],
    contacts: new Map<string, { id: string; fieldValues: Record<string, string> }>(),
    contactTags: [] as { id: string; contact: string; tag: string }[],
  };
  const seen: SeenRequest[] = [];
  const failures: Failure[] = [];

  async function record(request: StrictRequest<DefaultBodyType>): Promise<SeenRequest> {
    const text = await request.text();
    const url = new URL(request.url);
    const r = {
      method: request.method,
      url: `${url.pathname}${url.search}`,
      apiToken: request.headers.get('api-token'),
      contentType: request.headers.get('content-type'),
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    seen.push(r);
    return r;
  }
  /** The injected failure for this request, if any (used up once per `times`). */
  function failed(r: SeenRequest): Response | undefined {
    const f = failures.find((x) => x.times > 0 && x.when(r));
    if (!f) return undefined;
    f.times -= 1;
    return f.answer();
  }
  const handle = (method: 'get' | 'post' | 'delete', path: string, answer: (r: SeenRequest, params: Record<string, string>) => Response) =>
    http[method](`${api}/api/3${path}`, async ({ request, params }) => {
      const r = await record(request);
      return failed(r) ?? answer(r, params as Record<string, string>);
    });

  const fieldJson = (f: (typeof state.fields)[number]) => ({
    title: f.title,
    descript: null,
    type: f.type,
    isrequired: '0',
    perstag: f.perstag,
    defval: null,
    show_in_list: '0',
    rows: '0',
    cols: '0',
    visible: '1',
    service: '',
    ordernum: '1',
    cdate: '2018-11-15T21:43:38-06:00',
    udate: '2018-11-15T21:43:38-06:00',
    options: [],
    relations: [],
    links: { options: `https://:account.api-us1.com/api/:version/fields/${f.id}/options`, relations: `https://:account.api-us1.com/api/:version/fields/${f.id}/relations` },
    id: f.id,
  });
  const tagJson = (t: (typeof state.tags)[number]) => ({
    tagType: t.tagType,
    tag: t.tag,
    description: '',
    cdate: '2018-08-17T09:43:15-05:00',
    links: { contactGoalTags: `https://:account.api-us1.com/api/:version/tags/${t.id}/contactGoalTags` },
    id: t.id,
  });
  const linkJson = (l: (typeof state.contactTags)[number]) => ({
    cdate: '2017-06-08T16:11:53-05:00',
    contact: l.contact,
    id: l.id,
    links: { contact: `/${l.id}/contact`, tag: `/${l.id}/tag` },
    tag: l.tag,
  });

  server.use(
    handle('get', '/fields', (r) => {
      const perstag = new URL(r.url, api).searchParams.get('filters[perstag]');
      const fields = state.fields.filter((f) => !perstag || f.perstag === perstag).map(fieldJson);
      return HttpResponse.json({ fieldOptions: [], fieldRels: [], fields, meta: { total: String(fields.length) } });
    }),
    handle('post', '/fields', (r) => {
      const { field } = r.body as { field: { title: string; perstag: string; type: string } };
      if (state.fields.some((f) => f.title === field.title)) {
        return HttpResponse.json(
          { errors: [{ title: 'There is already a field with this title', detail: `There is already a field named '${field.title}' -- choose another name`, code: 'duplicate' }] },
          { status: 422 },
        );
      }
      const made = { id: id(), title: field.title, perstag: field.perstag, type: field.type };
      state.fields.push(made);
      return HttpResponse.json({ fieldOptions: [], fieldRels: [], fields: [fieldJson(made)], meta: { total: '1' } }, { status: 201 });
    }),
    handle('post', '/fieldRels', (r) => {
      const { fieldRel } = r.body as { fieldRel: { field: number; relid: number } };
      state.fieldRels.push(fieldRel);
      return HttpResponse.json({ fieldRel: { relid: fieldRel.relid, field: fieldRel.field, cdate: '2019-02-01T08:39:25-06:00', links: [], id: id() } }, { status: 201 });
    }),
    handle('post', '/contact/sync', (r) => {
      const { contact } = r.body as { contact: { email: string; fieldValues?: { field: string; value: string }[] } };
      const known = state.contacts.get(contact.email.toLowerCase()) ?? { id: id(), fieldValues: {} };
      state.contacts.set(contact.email.toLowerCase(), known);
      for (const v of contact.fieldValues ?? []) known.fieldValues[v.field] = v.value;
      const fieldValues = (contact.fieldValues ?? []).map((v, i) => ({
        contact: known.id,
        field: v.field,
        value: v.value,
        cdate: '2022-04-14T10:03:23-05:00',
        udate: '2022-04-14T10:03:23-05:00',
        created_by: null,
        updated_by: null,
        links: { owner: `https://:account.api-us1.com/api/3/fieldValues/${i + 14}/owner`, field: `https://:account.api-us1.com/api/3/fieldValues/${i + 14}/field` },
        id: String(i + 14),
        owner: known.id,
      }));
      return HttpResponse.json(
        {
          fieldValues,
          contact: {
            email: contact.email,
            email_empty: false,
            cdate: '2022-04-14T10:03:23-05:00',
            udate: '2022-04-14T10:03:23-05:00',
            orgid: '',
            orgname: '',
            links: { contactTags: `https://:account.api-us1.com/api/3/contacts/${known.id}/contactTags` },
            hash: '75b8163f768dff1f0f7b5f69476b986a',
            fieldValues: fieldValues.map((v) => v.id),
            id: known.id,
            organization: '',
          },
        },
        { status: 201 },
      );
    }),
    handle('get', '/tags', (r) => {
      const search = (new URL(r.url, api).searchParams.get('search') ?? '').toLowerCase();
      const tags = state.tags.filter((t) => t.tag.toLowerCase().includes(search)).map(tagJson);
      return HttpResponse.json({ tags, meta: { total: String(tags.length) } });
    }),
    handle('post', '/tags', (r) => {
      const { tag } = r.body as { tag: { tag: string; tagType: string; description?: string } };
      const made = { id: id(), tag: tag.tag, tagType: tag.tagType };
      state.tags.push(made);
      return HttpResponse.json({ tag: { ...tagJson(made), description: tag.description ?? '' } }, { status: 201 });
    }),
    handle('get', '/contacts/:id/contactTags', (_r, params) => HttpResponse.json({ contactTags: state.contactTags.filter((l) => l.contact === params.id).map(linkJson) })),
    handle('post', '/contactTags', (r) => {
      const { contactTag } = r.body as { contactTag: { contact: string; tag: string } };
      const made = { id: id(), contact: String(contactTag.contact), tag: String(contactTag.tag) };
      state.contactTags.push(made);
      return HttpResponse.json({ contactTag: linkJson(made) }, { status: 201 });
    }),
    handle('delete', '/contactTags/:id', (_r, params) => {
      const at = state.contactTags.findIndex((l) => l.id === params.id);
      if (at < 0) return HttpResponse.json({ message: `No Result found for SubscriberTag with id ${params.id}` }, { status: 404 });
      state.contactTags.splice(at, 1);
      return HttpResponse.json({});
    }),
  );

  return {
    state,
    seen,
    /** An existing custom field of the account. */
    field(perstag: string, title: string, type = 'text') {
      const made = { id: id(), title, perstag, type };
      state.fields.push(made);
      return made.id;
    },
    /** An existing contact tag of the account. */
    tag(name: string) {
      const made = { id: id(), tag: name, tagType: 'contact' };
      state.tags.push(made);
      return made.id;
    },
    contact(email: string) {
      const made = { id: id(), fieldValues: {} };
      state.contacts.set(email.toLowerCase(), made);
      return made.id;
    },
    link(contact: string, tag: string) {
      const made = { id: id(), contact, tag };
      state.contactTags.push(made);
      return made.id;
    },
    /** The next `times` requests matching `when` get `answer` instead of the account's. */
    failNext(when: (r: SeenRequest) => boolean, answer: () => Response, times = 1) {
      failures.push({ when, answer, times });
    },
    tagsOf(email: string): string[] {
      const contact = state.contacts.get(email.toLowerCase());
      return state.contactTags.filter((l) => l.contact === contact?.id).map((l) => state.tags.find((t) => t.id === l.tag)?.tag ?? `?${l.tag}`);
    },
  };
}
