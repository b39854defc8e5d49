/**
 * Form fields that show the API's refusal beside the input it is about: the problem's JSON
 * pointers (docs/api.md, "Errors") name the field, so `/tiers/2` is shown under the tiers input
 * and `/codes/7` under the codes box. The inputs keep what the person typed (docs/console.md).
 * Used by the rewards and settings pages.
 */
import type { Child } from 'hono/jsx';
import type { Problem } from '../api/problem.js';

/** A refusal's messages by the first segment of each pointer (`/tiers/2` → `tiers`). */
export type FieldMessages = ReadonlyMap<string, string[]>;

export function fieldMessages(problem: Problem | undefined, describe?: (pointer: string, message: string) => string): FieldMessages {
  const messages = new Map<string, string[]>();
  for (const error of problem?.errors ?? []) {
    const field = error.pointer.split('/')[1] ?? '';
    const text = describe ? describe(error.pointer, error.message) : error.message;
    messages.set(field, [...(messages.get(field) ?? []), text]);
  }
  return messages;
}

/** The attributes that tie an input to its help text and its error, when there is one. */
export function inputAttributes(id: string, name: string, messages: FieldMessages | undefined, help?: boolean) {
  const failed = (messages?.get(name)?.length ?? 0) > 0;
  const describedBy = [help ? `${id}-help` : '', failed ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, name, 'aria-invalid': failed ? 'true' : undefined, 'aria-describedby': describedBy || undefined };
}

/**
 * A labelled field: its label, the input (built with `inputAttributes` for the same id and
 * name), optional help, and the API's message for it.
 */
export function Field(props: { id: string; name: string; label: string; help?: Child; messages?: FieldMessages; class?: string; children: Child }) {
  const errors = props.messages?.get(props.name) ?? [];
  return (
    <div class={`field${props.class ? ` ${props.class}` : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.help ? (
        <p class="help" id={`${props.id}-help`}>
          {props.help}
        </p>
      ) : null}
      {errors.length ? (
        <p class="field-error" id={`${props.id}-error`}>
          {errors.join('; ')}
        </p>
      ) : null}
    </div>
  );
}
