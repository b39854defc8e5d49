/**
 * Mappings (docs/console.md, "Mappings"): every mapping file with `mappings check`'s verdict; an
 * editor with a live check (line and reason) and a preview of the messages for a sample or a
 * recorded event — nothing is sent; saving (admin) through the API, which keeps the previous
 * version beside the file and waits for the hot reload. Everything through /v1/mappings.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Problem } from '../../api/problem.js';
// The event types a sample exists for (core/mappings/sample-events.ts): the vocabulary, not data.
import { LOYALTY_EVENT_TYPES } from '../../outbox/loyalty-events.js';
import { ActionForm, DataTable, ProblemNotice, formatTime } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { formFields, sendForm } from '../forms.js';
import { leaveNotice, renderPage } from '../layout.js';

type MappingProblem = { file: string; line: number; path: string; reason: string };
type FileState = { file: string; state: 'loaded' | 'pending' | 'invalid'; problems: MappingProblem[]; inForce: string[] };
type MappingFile = FileState & { text: string; version: string; previous: string | null; readOnly: string | null; events: string[] };
type RecentEvent = { id: string; type: string; occurredAt: string; memberId: string | null };
type Preview = {
  mapping: string;
  on: string;
  event: { id: string; type: string };
  when?: string;
  result: string;
  actions?: { index: number; adapter: string; enabled: boolean; options: Record<string, unknown> }[];
  errors?: unknown[];
};
type PreviewResult = { problems: MappingProblem[]; event: { source: 'sample' | 'recorded'; id: string | null; type: string | null; occurredAt: string | null }; previews: Preview[] };
type Saved = { file: string; created: boolean; previous: string | null; reloaded: boolean; inForce: string[] };

const STATE_TEXT: Record<FileState['state'], [string, string]> = {
  loaded: ['Loaded', 'ok'],
  pending: ['Valid, waiting for the reload', 'warn'],
  invalid: ['Invalid', 'bad'],
};

const editorPath = (file: string) => `/console/mappings/${encodeURIComponent(file)}`;

/** A new file starts from a working mapping a person can change. */
const starter = (file: string) =>
  [
    `# ${file}: a mapping (docs/mappings.md). Change it, watch the check and the preview, then save.`,
    `name: ${file.replace(/\.yaml$/, '')}`,
    'on: points.earned',
    'send:',
    '  adapter: slack',
    '  channel: "#loyalty"',
    '  text: "{{ member.firstName | default: \'A member\' }} earned {{ points }} points"',
    '',
  ].join('\n');

function StateBadge(props: { state: FileState['state'] }) {
  const [text, tone] = STATE_TEXT[props.state];
  return <span class={`status ${tone}`}>{text}</span>;
}

function ProblemList(props: { problems: MappingProblem[] }) {
  return (
    <ul class="mapping-problems">
      {props.problems.map((p) => (
        <li>
          <strong>
            {p.file}, line {p.line}
          </strong>
          {p.path ? (
            <>
              {' '}
              <code>{p.path}</code>
            </>
          ) : null}
          : {p.reason}
        </li>
      ))}
    </ul>
  );
}

function ReadOnlyNotice(props: { reason: string }) {
  return (
    <p class="problem" role="status">
      <strong>Saving is off.</strong> {props.reason}
    </p>
  );
}

/** One option's value as the adapter would get it: text as written, anything else as JSON. */
function OptionValue(props: { value: unknown }) {
  const text = typeof props.value === 'string' ? props.value : JSON.stringify(props.value, null, 2);
  return <pre>{text}</pre>;
}

/** The live part of the editor: the check's problems, then the preview (only of a valid text). */
function LiveResult(props: { result: PreviewResult | null; problem?: Problem }) {
  const { result } = props;
  if (!result) return props.problem ? <ProblemNotice problem={props.problem} /> : null;
  const event = result.event;
  return (
    <>
      <h2>Check</h2>
      {result.problems.length > 0 ? (
        <div class="problem" role="alert">
          <p>
            <strong>
              {result.problems.length} problem{result.problems.length === 1 ? '' : 's'}:
            </strong>{' '}
            this text would not load (the hub keeps running the last good version).
          </p>
          <ProblemList problems={result.problems} />
        </div>
      ) : (
        <p class="notice" role="status">
          No problems: this file would load.
        </p>
      )}
      <h2>Preview</h2>
      <p class="help">
        Nothing is sent.{' '}
        {event.source === 'recorded'
          ? `With the recorded ${event.type} event ${event.id} of ${formatTime(event.occurredAt)}.`
          : event.type
            ? `With the sample ${event.type} event.`
            : "With each mapping's own sample event."}{' '}
        Secrets and contact details are masked as in the logs.
      </p>
      {result.problems.length > 0 ? <p class="empty">Fix the problems above to see the messages.</p> : null}
      {result.previews.map((p) => (
        <article class="panel mapping-preview">
          <h3>
            {p.mapping} <span class="help">on {p.on}</span>
          </h3>
          <p>
            <span class={`status ${p.result === 'would send' ? 'ok' : 'warn'}`}>{p.result}</span>
            {p.when ? (
              <>
                {' '}
                when <code>{p.when}</code>
              </>
            ) : null}
          </p>
          {(p.actions ?? []).map((a) => (
            <section class="mapping-action">
              <h4>
                Message {a.index + 1}: {a.adapter}
                {a.enabled ? '' : ' — not configured on this hub: nothing would be sent until it is'}
              </h4>
              <dl class="facts">
                {Object.entries(a.options).flatMap(([key, value]) => [
                  <dt>{key}</dt>,
                  <dd>
                    <OptionValue value={value} />
                  </dd>,
                ])}
              </dl>
            </section>
          ))}
          {p.errors?.length ? (
            <div class="problem">
              <p>Not rendered:</p>
              <pre>{JSON.stringify(p.errors, null, 2)}</pre>
            </div>
          ) : null}
        </article>
      ))}
    </>
  );
}

interface EditorState {
  file: string;
  text: string;
  version: string;
  creating: boolean;
  loaded: MappingFile | null;
  recent: RecentEvent[];
  event: string;
  live: PreviewResult | null;
  problem?: Problem;
}

function EditorPage(props: { c: Context<ConsoleEnv>; s: EditorState }) {
  const { c, s } = props;
  const readOnly = s.loaded?.readOnly ?? null;
  const canSave = c.get('can')('admin') && !readOnly;
  const path = editorPath(s.file);
  const live = `${path}/live`;
  return (
    <>
      <p>
        <a href="/console/mappings">← All mapping files</a>
      </p>
      {s.loaded ? (
        <dl class="facts">
          <dt>State</dt>
          <dd>
            <StateBadge state={s.loaded.state} />
          </dd>
          <dt>In force</dt>
          <dd>{s.loaded.inForce.length ? s.loaded.inForce.join(', ') : 'nothing from this file'}</dd>
          <dt>Previous version</dt>
          <dd>{s.loaded.previous ? <code>{s.loaded.previous}</code> : 'none kept yet (kept beside the file on each save)'}</dd>
        </dl>
      ) : (
        <p class="help">A new file: it is written into the mappings folder when you save it.</p>
      )}
      {readOnly ? <ReadOnlyNotice reason={readOnly} /> : null}
      {s.problem && s.live ? <ProblemNotice problem={s.problem} /> : null}
      <ActionForm action={`${path}/preview`} csrfToken={c.get('session').csrfToken} class="mapping-editor" label={`Edit ${s.file}`}>
        <input type="hidden" name="baseVersion" value={s.version} />
        {s.creating ? <input type="hidden" name="creating" value="yes" /> : null}
        <label for="mapping-text">{`Mapping file ${s.file}`}</label>
        <textarea
          id="mapping-text"
          name="text"
          rows={24}
          spellcheck={false}
          wrap="off"
          autocomplete="off"
          aria-describedby="mapping-help"
          hx-post={live}
          hx-trigger="input changed delay:400ms"
          hx-target="#mapping-live"
          hx-swap="innerHTML"
        >
          {s.text}
        </textarea>
        <p id="mapping-help" class="help">
          Checked as you type (<code>loyalty-hub mappings check</code>); the format is in docs/mappings.md.
        </p>
        <label for="mapping-event">Preview with</label>
        <select id="mapping-event" name="event" hx-post={live} hx-trigger="change" hx-target="#mapping-live" hx-swap="innerHTML">
          <optgroup label="Sample events">
            <option value="" selected={s.event === ''}>
              Each mapping's own sample event
            </option>
            {LOYALTY_EVENT_TYPES.map((t) => (
              <option value={`sample:${t}`} selected={s.event === `sample:${t}`}>
                Sample {t}
              </option>
            ))}
          </optgroup>
          {s.recent.length ? (
            <optgroup label="Recent events">
              {s.recent.map((e) => (
                <option value={`event:${e.id}`} selected={s.event === `event:${e.id}`}>
                  {`${e.type} · ${formatTime(e.occurredAt)}${e.memberId ? ` · ${e.memberId}` : ''} · ${e.id}`}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
        <div class="mapping-buttons">
          <button type="submit" class="secondary">
            Check and preview
          </button>
          {canSave ? (
            <button type="submit" formaction={`${path}/save`}>
              Save
            </button>
          ) : null}
        </div>
      </ActionForm>
      <section id="mapping-live" class="mapping-live" aria-live="polite" aria-label="Check and preview">
        <LiveResult result={s.live} problem={s.live ? undefined : s.problem} />
      </section>
    </>
  );
}

/** The form's event choice → the preview request's `sample` or `eventId`. */
function eventChoice(value: string | undefined): { sample?: string; eventId?: string } {
  if (value?.startsWith('sample:')) return { sample: value.slice('sample:'.length) };
  if (value?.startsWith('event:')) return { eventId: value.slice('event:'.length) };
  return {};
}

export function mappingsPage(_deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', async (c) => {
    const answer = await c.get('api').get<{ data: FileState[]; readOnly: string | null }>('/mappings');
    if (!answer.ok) {
      c.status(answer.status as 400);
      return renderPage(c, { title: 'Mappings', section: '/console/mappings' }, <ProblemNotice problem={answer.problem} />);
    }
    const { data, readOnly } = answer.data;
    const newName = c.req.query('file') ?? '';
    return renderPage(
      c,
      { title: 'Mappings', section: '/console/mappings' },
      <>
        <p class="help">
          Each file says which messages to send on which loyalty events (docs/mappings.md). A file with a problem does not load; the hub keeps running its last good
          version.
        </p>
        {readOnly ? <ReadOnlyNotice reason={readOnly} /> : null}
        <h2>Mapping files</h2>
        <DataTable caption="Mapping files and their state" headers={['File', 'State', 'In force', 'Problems']} rows={data.length} empty="The mappings folder has no files yet.">
          {data.map((f) => (
            <tr>
              <td>
                <a href={editorPath(f.file)}>{f.file}</a>
              </td>
              <td>
                <StateBadge state={f.state} />
              </td>
              <td>{f.inForce.length ? f.inForce.join(', ') : '—'}</td>
              <td>{f.problems.length ? <ProblemList problems={f.problems} /> : 'None'}</td>
            </tr>
          ))}
        </DataTable>
        {c.get('can')('admin') && !readOnly ? (
          <>
            <h2>New mapping file</h2>
            <form method="get" action="/console/mappings/new" class="inline">
              <div>
                <label for="new-file">File name</label>
                <input id="new-file" name="file" value={newName} required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*\.yaml" placeholder="welcome-sms.yaml" aria-describedby="new-file-help" />
              </div>
              <button type="submit">Create</button>
              <p id="new-file-help" class="help">
                A plain name ending in <code>.yaml</code>.
              </p>
            </form>
          </>
        ) : null}
      </>,
    );
  });

  // A new file's editor: its name checked by the API (the same rule as saving), the file unwritten until saved.
  app.get('/new', async (c) => {
    const file = (c.req.query('file') ?? '').trim();
    const check = await c.get('api').send<{ problems: MappingProblem[] }>('POST', '/mappings/check', { file, text: starter(file) });
    const exists = check.ok ? await c.get('api').get<MappingFile>(`/mappings/${encodeURIComponent(file)}`) : null;
    if (!check.ok || exists?.ok || !file.endsWith('.yaml')) {
      const problem: Problem = check.ok
        ? { type: '/problems/validation', title: 'Cannot create that file', status: 400, detail: exists?.ok ? `${file} already exists: open it from the list.` : 'A new mapping file ends in .yaml.' }
        : check.problem;
      c.status(problem.status as 400);
      return renderPage(
        c,
        { title: 'New mapping file', section: '/console/mappings' },
        <>
          <ProblemNotice problem={problem} />
          <p>
            <a href={`/console/mappings?file=${encodeURIComponent(file)}`}>Back to the mapping files</a>
          </p>
        </>,
      );
    }
    return c.redirect(`${editorPath(file)}?new=yes`, 303);
  });

  /** Draws the editor for `file` with `text` (as opened, or as typed), and its live part. */
  async function editor(c: Context<ConsoleEnv>, file: string, typed?: { text: string; version: string; event: string; creating: boolean }, problem?: Problem) {
    const api = c.get('api');
    const opened = await api.get<MappingFile>(`/mappings/${encodeURIComponent(file)}`);
    const creating = typed?.creating ?? (!opened.ok && opened.status === 404 && c.req.query('new') === 'yes' && c.get('can')('admin'));
    if (!opened.ok && !creating) {
      c.status(opened.status as 404);
      return renderPage(c, { title: file, section: '/console/mappings' }, <ProblemNotice problem={opened.problem} />);
    }
    const loaded = opened.ok ? opened.data : null;
    const text = typed?.text ?? loaded?.text ?? starter(file);
    const event = typed?.event ?? '';
    const types = loaded?.events ?? [];
    const [recent, live] = await Promise.all([
      api.get<{ data: RecentEvent[] }>('/mappings/recent-events', { type: types.length === 1 ? types[0] : undefined, limit: 20 }),
      preview(c, file, text, event),
    ]);
    const state: EditorState = {
      file,
      text,
      version: typed?.version ?? loaded?.version ?? '',
      creating,
      loaded,
      recent: recent.ok ? recent.data.data : [],
      event,
      live: live.ok ? live.data : null,
      problem: problem ?? (live.ok ? undefined : live.problem),
    };
    return renderPage(c, { title: creating ? `New mapping file ${file}` : file, section: '/console/mappings' }, <EditorPage c={c} s={state} />);
  }

  function preview(c: Context<ConsoleEnv>, file: string, text: string, event: string) {
    return c.get('api').send<PreviewResult>('POST', '/mappings/preview', { file, text, ...eventChoice(event) });
  }

  app.get('/:file', async (c) => {
    return editor(c, c.req.param('file'));
  });

  // htmx: the check and the preview of what is typed, as a fragment (nothing is saved or sent).
  app.post('/:file/live', async (c) => {
    const fields = await formFields(c);
    const answer = await preview(c, c.req.param('file'), fields.text ?? '', fields.event ?? '');
    return c.html(<LiveResult result={answer.ok ? answer.data : null} problem={answer.ok ? undefined : answer.problem} />, answer.ok ? 200 : (answer.status as 400));
  });

  // Without JavaScript: the same check and preview, with the whole editor drawn again.
  app.post('/:file/preview', async (c) => {
    const fields = await formFields(c);
    return editor(c, c.req.param('file'), { text: fields.text ?? '', version: fields.baseVersion ?? '', event: fields.event ?? '', creating: fields.creating === 'yes' });
  });

  app.post('/:file/save', async (c) => {
    const file = c.req.param('file');
    const fields = await formFields(c);
    const text = fields.text ?? '';
    const saved = await sendForm<Saved>(c, 'PUT', `/mappings/${encodeURIComponent(file)}`, { text, baseVersion: fields.baseVersion ?? '' });
    if (!saved.ok) {
      c.status(saved.status as 400);
      return editor(c, file, { text, version: fields.baseVersion ?? '', event: fields.event ?? '', creating: fields.creating === 'yes' }, saved.problem);
    }
    const s = saved.data;
    leaveNotice(
      c,
      `Saved ${s.file}${s.previous ? `; the previous version is kept as ${s.previous}` : ''}. ` +
        (s.reloaded ? `The hub reloaded it: ${s.inForce.length ? s.inForce.join(', ') : 'nothing'} in force.` : 'The hub picks it up within a few seconds.'),
    );
    return c.redirect('/console/mappings', 303);
  });

  return app;
}
