/**
 * Mapping files through the API (docs/api.md, "Mappings"): the folder the hub runs with each
 * file's validation state, a check and a preview of a text before it is saved (nothing is sent),
 * and saving (admin), which keeps the previous version beside the file and waits for the hot
 * reload. The logic is core/mappings/ (mapping-files.ts, preview.ts): the same checks as
 * `loyalty-hub mappings check` and the same rendering as the dispatcher.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import {
  checkMappingText,
  compileMappingText,
  fileNameProblem,
  folderState,
  readMappingFile,
  readOnlyReason,
  saveMappingFile,
  versionOf,
  type MappingsFolder,
} from '../../mappings/mapping-files.js';
import { previewMappings } from '../../mappings/preview.js';
import { sampleEvent, sampleExtras } from '../../mappings/sample-events.js';
import { redact } from '../../observability/redact.js';
import { memberSnapshot } from '../../outbox/dispatcher.js';
import { LOYALTY_EVENT_TYPES, loyaltyEventOf, type LoyaltyEvent } from '../../outbox/loyalty-events.js';
import { tablesOf } from '../../storage/prepared.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { ProblemError } from '../problem.js';
import { closedObject } from '../closed-object.js';
import { IdempotencyHeader, IdempotencyKeyField, errorResponses } from '../schemas.js';
import { invalidFields, validationHook } from '../validation.js';

/** The largest mapping file the API takes (the shipped ones are under 5 KB). */
const MAX_TEXT = 64 * 1024;
/** A recorded event is looked for among this many newest loyalty events (a bounded, indexed read). */
const RECENT_WINDOW = 500;

const Problem = z
  .object({
    file: z.string(),
    line: z.number().int().openapi({ description: '1-based line of the offending YAML node.' }),
    path: z.string().openapi({ description: 'Where in the mapping, e.g. `send[1].templateId`; empty for the file as a whole.' }),
    reason: z.string(),
  })
  .openapi('MappingProblem');

const FileState = z
  .object({
    file: z.string(),
    state: z.enum(['loaded', 'pending', 'invalid']).openapi({
      description: 'loaded: valid and this version is in force; pending: valid, the hot reload has not picked it up yet; invalid: see problems.',
    }),
    problems: z.array(Problem),
    inForce: z.array(z.string()).openapi({ description: "This file's mappings in force now (an invalid file's last good version keeps running)." }),
  })
  .openapi('MappingFileState');

const MappingFile = FileState.extend({
  text: z.string(),
  version: z.string().openapi({ description: 'Send it back as `baseVersion` when saving: a file changed meanwhile is not overwritten.' }),
  previous: z.string().nullable().openapi({ description: 'The version replaced by the last save, kept beside the file (never loaded).' }),
  events: z.array(z.string()).openapi({ description: 'The loyalty events its mappings listen to (when the file is valid).' }),
  readOnly: z.string().nullable().openapi({ description: 'Why this hub cannot save mapping files, or null.' }),
}).openapi('MappingFile');

const FileParam = z.object({ file: z.string().max(120).openapi({ param: { name: 'file', in: 'path' }, example: 'points-earned-email.yaml' }) });
const Text = z.string().max(MAX_TEXT, `at most ${MAX_TEXT} characters`);
const FileName = z.string().max(120).openapi({ example: 'points-earned-email.yaml', description: 'The file the text is (or will be): its name is the default mapping name.' });

const CheckInput = closedObject({ file: FileName, text: Text, idempotencyKey: IdempotencyKeyField });
const CheckResult = z.object({ problems: z.array(Problem) }).openapi('MappingCheck');

const PreviewInput = closedObject({
  file: FileName,
  text: Text,
  sample: z.enum(LOYALTY_EVENT_TYPES).optional().openapi({ description: "A sample event of this type (core/mappings/sample-events.ts). Neither this nor eventId: each mapping's own sample." }),
  eventId: z.string().min(1).max(120).optional().openapi({ description: 'A recorded loyalty event (GET /v1/mappings/recent-events).' }),
  idempotencyKey: IdempotencyKeyField,
})
  .refine((v) => !(v.sample && v.eventId), { message: 'give a sample or an eventId, not both', path: ['eventId'] });

const Preview = z.object({
  mapping: z.string(),
  on: z.string(),
  event: z.object({ id: z.string(), type: z.string() }),
  when: z.string().optional(),
  result: z.string().openapi({ example: 'would send' }),
  actions: z
    .array(
      z.object({
        index: z.number().int(),
        adapter: z.string(),
        enabled: z.boolean().openapi({ description: 'Is the adapter configured on this hub? If not, nothing is sent until it is.' }),
        options: z.record(z.string(), z.unknown()).openapi({ description: 'What the adapter would be handed, secrets and contact details masked as in the logs.' }),
      }),
    )
    .optional(),
  errors: z.array(z.unknown()).optional(),
});
const PreviewResult = z
  .object({
    problems: z.array(Problem),
    event: z.object({ source: z.enum(['sample', 'recorded']), id: z.string().nullable(), type: z.string().nullable(), occurredAt: z.string().nullable() }),
    previews: z.array(Preview),
    sent: z.literal(false).openapi({ description: 'A preview never sends anything.' }),
  })
  .openapi('MappingPreview');

const SaveInput = closedObject({
  text: Text,
  baseVersion: z.string().max(64).optional().openapi({ description: "The `version` of the file as the editor opened it ('' for a new file)." }),
  idempotencyKey: IdempotencyKeyField,
});
const SaveResult = z
  .object({
    file: z.string(),
    created: z.boolean(),
    previous: z.string().nullable().openapi({ description: 'Where the replaced version is kept: `<file>.previous`.' }),
    reloaded: z.boolean().openapi({ description: 'The hot reload put this version in force before the answer.' }),
    inForce: z.array(z.string()),
  })
  .openapi('MappingSaved');

const RecentEvent = z.object({ id: z.string(), type: z.string(), occurredAt: z.string(), memberId: z.string().nullable() });

const ok = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

const routes = {
  list: createRoute({
    method: 'get',
    path: '/mappings',
    tags: ['Mappings'],
    summary: 'Every mapping file with its validation state and what of it is in force',
    middleware: [requireScope('read')] as const,
    responses: { 200: ok(z.object({ data: z.array(FileState), readOnly: z.string().nullable() }), 'The folder') },
  }),
  recentEvents: createRoute({
    method: 'get',
    path: '/mappings/recent-events',
    tags: ['Mappings'],
    summary: 'Recent loyalty events to preview a mapping with, newest first',
    middleware: [requireScope('read')] as const,
    request: { query: z.object({ type: z.enum(LOYALTY_EVENT_TYPES).optional(), limit: z.coerce.number().int().min(1).max(50).default(20) }) },
    responses: { 200: ok(z.object({ data: z.array(RecentEvent) }), `Among the ${RECENT_WINDOW} newest events`), ...errorResponses(400) },
  }),
  read: createRoute({
    method: 'get',
    path: '/mappings/{file}',
    tags: ['Mappings'],
    summary: 'One mapping file: its text and validation state',
    middleware: [requireScope('read')] as const,
    request: { params: FileParam },
    responses: { 200: ok(MappingFile, 'The file'), ...errorResponses(400, 404) },
  }),
  check: createRoute({
    method: 'post',
    path: '/mappings/check',
    tags: ['Mappings'],
    summary: 'Check a mapping text as `loyalty-hub mappings check` would (line and reason of each problem)',
    middleware: [requireScope('read')] as const,
    request: { headers: IdempotencyHeader, ...json(CheckInput) },
    responses: { 200: ok(CheckResult, 'The problems (none: the text would load)'), ...errorResponses(400) },
  }),
  preview: createRoute({
    method: 'post',
    path: '/mappings/preview',
    tags: ['Mappings'],
    summary: 'What a mapping text would send for a sample or a recorded event — nothing is sent',
    middleware: [requireScope('read')] as const,
    request: { headers: IdempotencyHeader, ...json(PreviewInput) },
    responses: { 200: ok(PreviewResult, 'The rendered actions, or the problems that stop the text loading'), ...errorResponses(400, 404) },
  }),
  save: createRoute({
    method: 'put',
    path: '/mappings/{file}',
    tags: ['Mappings'],
    summary: 'Save a mapping file (the previous version is kept beside it); the hot reload applies it',
    middleware: [requireScope('admin')] as const,
    request: { params: FileParam, headers: IdempotencyHeader, ...json(SaveInput) },
    responses: {
      200: ok(SaveResult, 'Saved over the previous version'),
      201: ok(SaveResult, 'Created'),
      ...errorResponses(400, 409, 422),
    },
  }),
};

function fileName(name: string, creating: boolean, pointer = '/file', part: 'path' | 'body' = 'path'): string {
  const problem = fileNameProblem(name, creating);
  if (problem) throw invalidFields({ pointer, in: part, message: problem });
  return name;
}

/** Secrets and contact details in rendered options masked as the logs mask them (docs/security.md, "Logs"). */
const masked = (options: Record<string, unknown>) => redact(options) as Record<string, unknown>;

export function mappingsRoutes({ store }: ApiDeps, folder: MappingsFolder) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(routes.list, (c) => c.json({ data: folderState(folder), readOnly: readOnlyReason(folder) ?? null }, 200));

  app.openapi(routes.recentEvents, async (c) => {
    const { type, limit } = c.req.valid('query');
    const { loyaltyEvents: e } = tablesOf(store.db);
    // The newest RECENT_WINDOW by primary key, then filtered: bounded whatever the table's size.
    const rows = await store.db
      .select({ id: e.id, type: e.type, occurredAt: e.occurredAt, memberId: e.memberId })
      .from(e)
      .orderBy(desc(e.seq))
      .limit(RECENT_WINDOW);
    const data = rows
      .filter((r) => !type || r.type === type)
      .slice(0, limit)
      .map((r) => ({ id: r.id, type: r.type, occurredAt: new Date(r.occurredAt).toISOString(), memberId: r.memberId }));
    return c.json({ data }, 200);
  });

  app.openapi(routes.read, (c) => {
    const name = fileName(c.req.valid('param').file, false);
    const found = readMappingFile(folder, name);
    if (!found) throw new ProblemError(404, 'not-found', 'Mapping file not found', `There is no mapping file ${name} in the mappings folder.`);
    const { text, previous, ...state } = found;
    return c.json({ ...state, text, version: versionOf(text), previous: previous ? `${name}.previous` : null, readOnly: readOnlyReason(folder) ?? null }, 200);
  });

  app.openapi(routes.check, (c) => {
    const { file, text } = c.req.valid('json');
    return c.json({ problems: checkMappingText(folder, fileName(file, false, '/file', 'body'), text) }, 200);
  });

  app.openapi(routes.preview, async (c) => {
    const { file, text, sample, eventId } = c.req.valid('json');
    let given: { event: LoyaltyEvent; extras: { member?: object | null } } | undefined;
    if (sample) given = { event: sampleEvent(sample), extras: sampleExtras(sample) };
    if (eventId) given = await recordedEvent(eventId);
    const { mappings, problems } = compileMappingText(folder, fileName(file, false, '/file', 'body'), text);
    const { results } = previewMappings(mappings, given);
    const previews = results.map((r) => ({
      ...r,
      ...(r.actions ? { actions: r.actions.map((a) => ({ ...a, enabled: folder.enabledAdapters.has(a.adapter), options: masked(a.options) })) } : {}),
    }));
    const event = given
      ? { source: sample ? ('sample' as const) : ('recorded' as const), id: given.event.id, type: given.event.type, occurredAt: given.event.occurredAt }
      : { source: 'sample' as const, id: null, type: null, occurredAt: null };
    return c.json({ problems, event, previews, sent: false as const }, 200);
  });

  app.openapi(routes.save, async (c) => {
    const name = c.req.valid('param').file;
    const { text, baseVersion } = c.req.valid('json');
    fileName(name, !readMappingFile(folder, fileName(name, false)));
    const outcome = await saveMappingFile(folder, name, text, { baseVersion });
    switch (outcome.status) {
      case 'read-only':
        throw new ProblemError(409, 'mappings-read-only', 'Mappings are read-only here', outcome.reason);
      case 'changed':
        throw new ProblemError(409, 'mapping-changed', 'Changed since opened', outcome.reason);
      case 'invalid':
        throw new ProblemError(
          422,
          'invalid-mapping',
          'The mapping file has problems',
          `Not saved: ${outcome.problems.map((p) => `${p.file}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.reason}`).join('; ')}`,
          { problems: outcome.problems },
        );
      case 'saved': {
        const { status: _s, ...saved } = outcome;
        return c.json({ file: name, ...saved }, outcome.created ? 201 : 200);
      }
    }
  });

  /** A recorded loyalty event with the member as the dispatcher sees it (core/outbox/dispatcher.ts). */
  async function recordedEvent(id: string): Promise<{ event: LoyaltyEvent; extras: { member: object | null } }> {
    const { loyaltyEvents: e } = tablesOf(store.db);
    const [row] = await store.db.select().from(e).where(eq(e.id, id));
    if (!row) throw new ProblemError(404, 'not-found', 'Event not found', `There is no loyalty event ${id}.`);
    const event = loyaltyEventOf(row);
    return { event, extras: { member: row.memberId ? await memberSnapshot(store.db, row.memberId) : null } };
  }

  return app;
}
