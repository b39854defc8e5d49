/**
 * The parts of a Dataverse webhook body the hub reads: the JSON of a `RemoteExecutionContext`
 * (tests/fixtures/platform-samples/dynamics/README.md names Microsoft's sample). Collections are
 * lists of `{ key, value }` pairs — `InputParameters`, an entity's `Attributes`, the
 * `PostEntityImages` — and a lookup value is an `EntityReference` `{ Id, LogicalName, Name }`.
 * Unknown keys are ignored; a field of the wrong type is a 400 naming it (`parseWithSchema`).
 */
import { z } from 'zod';
import { listOf, optionalText } from '../../core/connectors/payload-fields.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const guid = z
  .string()
  .trim()
  .regex(GUID, 'a Dataverse id (GUID) is required')
  .transform((v) => v.toLowerCase());

/** The empty GUID some contexts carry for an id they do not have (no id, not a shared one). */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** An operation id: absent, null, blank or the empty GUID → undefined. */
const optionalId = optionalText.transform((v) => (v === EMPTY_GUID ? undefined : v));

const pair = z.looseObject({ key: z.string(), value: z.unknown() });

/** An `Entity` as serialized: its id, table and attributes. */
export const entitySchema = z.looseObject({
  Id: z.string().nullish(),
  LogicalName: optionalText,
  Attributes: listOf(pair),
});

export type SerializedEntity = z.output<typeof entitySchema>;

export const remoteExecutionContextSchema = z.looseObject({
  MessageName: z.string().trim().min(1, 'the message (Create, Update) is required'),
  PrimaryEntityName: z.string().trim().min(1, 'the table is required'),
  PrimaryEntityId: guid,
  OperationId: optionalId,
  OperationCreatedOn: optionalText,
  InputParameters: listOf(pair),
  PostEntityImages: listOf(pair),
});

export type RemoteExecutionContext = z.output<typeof remoteExecutionContextSchema>;

/** An `EntityReference` attribute value (a lookup: `new_contact`, `parentcustomerid`). */
export const entityReferenceSchema = z.looseObject({ Id: guid, LogicalName: z.string() });
