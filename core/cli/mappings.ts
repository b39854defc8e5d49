/**
 * `loyalty-hub mappings check` and `mappings preview`: a marketer's or a CI job's way to know a
 * mapping file is right before the hub loads it. Neither needs the providers' secrets nor a
 * database, and preview never sends anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { discoverConnectors } from '../connectors/discover.js';
import { adapterDescriptors, loadMappingFile, loadMappings, type MappingProblem } from '../mappings/index.js';
import { previewMappings } from '../mappings/preview.js';
import { LOYALTY_EVENT_TYPES } from '../outbox/loyalty-events.js';
import type { Command } from './main.js';

/** The adapters' option schemas, from the connector folders, secrets or not. */
async function describeAdapters() {
  const { adapters, unavailable } = adapterDescriptors(await discoverConnectors(), process.env);
  for (const u of unavailable) console.error(`warning: the ${u.connector} adapter cannot be described (${u.reason}); mappings using it are reported as unknown`);
  return adapters;
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  if (rel === '') return '.';
  return !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export function formatProblem(p: MappingProblem): string {
  return `${shown(p.file)}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.reason}`;
}

export const mappingsCheck: Command = {
  summary: 'Validate the mapping files (file, line and reason for each problem)',
  usage: [
    'Usage: loyalty-hub mappings check [--dir <folder>]',
    '',
    '  --dir  the mapping files (default: $LOYALTY_MAPPINGS, else ./mappings)',
    '',
    'Checks every *.yaml in the folder: events, adapters, conditions, Liquid templates, and each',
    "action's options as its adapter will see them, rendered with a sample event.",
    'Exit status: 0 when every file is valid, 1 when any has a problem.',
  ].join('\n'),
  options: { dir: { type: 'string' } },
  async run(args) {
    const dir = resolve(args.string('dir') ?? (process.env.LOYALTY_MAPPINGS || 'mappings'));
    if (!existsSync(dir)) {
      console.error(`mappings check: no folder ${dir}`);
      return 2;
    }
    const { mappings, problems } = loadMappings(dir, await describeAdapters());
    for (const p of problems) console.log(formatProblem(p));
    if (problems.length > 0) {
      const files = new Set(problems.map((p) => p.file)).size;
      console.log(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; ${mappings.length} mapping${mappings.length === 1 ? '' : 's'} OK`);
      return 1;
    }
    console.log(`${mappings.length} mapping${mappings.length === 1 ? '' : 's'} OK in ${shown(dir)}`);
    return 0;
  },
};

const extra = z.record(z.string(), z.unknown()).nullable().optional();
/** A LoyaltyEvent as JSON, with the member, balance, tier and reward that go with it. */
const PreviewEvent = z.object({
  id: z.string().default('evt_preview'),
  type: z.enum(LOYALTY_EVENT_TYPES),
  occurredAt: z.string().default('2025-06-01T14:30:00.000Z'),
  memberId: z.string().nullable().default(null),
  data: z.record(z.string(), z.unknown()).default({}),
  member: extra,
  balance: extra,
  tier: extra,
  reward: extra,
});

export const mappingsPreview: Command = {
  summary: 'Render a mapping file for an event, without sending',
  usage: [
    'Usage: loyalty-hub mappings preview <file> [--event <event.json>]',
    '',
    '  --event  a loyalty event as JSON: { "type": "reward.redeemed", "data": { "points": 5000 },',
    '           "member": { … }, "balance": { … }, "tier": { … }, "reward": { … } }',
    "           (default: the built-in sample of each mapping's event)",
    '',
    'Prints, for each mapping in the file, "would send" with the rendered actions, or why not',
    '("condition false", another event). Nothing is sent.',
  ].join('\n'),
  options: { event: { type: 'string' } },
  maxPositionals: 1,
  async run(args) {
    const file = args.positionals[0];
    const eventFile = args.string('event');
    if (!file) {
      console.error('mappings preview: give exactly one mapping file');
      return 2;
    }
    let given: z.infer<typeof PreviewEvent> | undefined;
    if (eventFile) {
      try {
        const parsed = PreviewEvent.safeParse(JSON.parse(readFileSync(eventFile, 'utf8')));
        if (!parsed.success) {
          console.error(`mappings preview: ${eventFile}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
          return 2;
        }
        given = parsed.data;
      } catch (error) {
        console.error(`mappings preview: ${eventFile}: ${(error as Error).message}`);
        return 2;
      }
    }
    const { mappings, problems } = loadMappingFile(resolve(file), await describeAdapters());
    if (problems.length > 0) {
      for (const p of problems) console.log(formatProblem(p));
      return 1;
    }
    const { results, failed } = previewMappings(
      mappings,
      given && {
        event: { id: given.id, type: given.type, occurredAt: given.occurredAt, memberId: given.memberId, data: given.data },
        extras: { member: given.member, balance: given.balance, tier: given.tier, reward: given.reward },
      },
    );
    console.log(JSON.stringify(results, null, 2));
    console.error('preview only: nothing was sent');
    return failed ? 1 : 0;
  },
};
