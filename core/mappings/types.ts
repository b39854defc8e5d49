/**
 * The mapping engine's vocabulary (docs/mappings.md): a mapping file says "on this loyalty event, when
 * this condition holds, send these actions". Loading compiles everything once (the condition,
 * every Liquid template) so evaluating an event only runs what was already checked.
 */
import type { OutboundAdapter } from '../outbound/adapter.js';
import type { LoyaltyEventType } from '../outbox/loyalty-events.js';
import type { Condition } from './condition.js';
import type { TemplateTree } from './templates.js';

/**
 * All the engine needs of an adapter: its name and its options schema. Taking this rather than
 * a whole `OutboundAdapter` lets `mappings check` validate without the providers' secrets
 * (see `adapterDescriptors`); a real adapter is one too.
 */
export type AdapterDescriptor = Pick<OutboundAdapter, 'name' | 'options'>;
export type AdapterDescriptors = ReadonlyMap<string, AdapterDescriptor>;

/** Something wrong with a mapping file, pointing at the offending YAML node. */
export interface MappingProblem {
  file: string;
  /** 1-based line of the offending node. */
  line: number;
  /** Where in the mapping, e.g. `send[1].templateId`; empty for the file as a whole. */
  path: string;
  reason: string;
}

export interface MappingAction {
  /** Position in the mapping's `send` list (0 for a single action): half of the delivery route. */
  readonly index: number;
  readonly line: number;
  readonly adapter: AdapterDescriptor;
  /** The options with every string compiled as a Liquid template. */
  readonly options: TemplateTree;
}

export interface Mapping {
  /** Unique across the loaded files: deliveries are keyed by `mapping:<name>#<index>`. */
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly on: LoyaltyEventType;
  /** null: always. */
  readonly when: Condition | null;
  readonly actions: readonly MappingAction[];
}

export interface LoadResult {
  mappings: Mapping[];
  problems: MappingProblem[];
}

/**
 * What the caller knows about the event besides the event itself. Objects, not fixed shapes:
 * whatever fields they have are what templates and conditions may use.
 */
export interface ScopeExtras {
  member?: object | null;
  /** Used when the event carries no `balance` of its own (see `evaluationScope`). */
  balance?: object | null;
  tier?: object | null;
  reward?: object | null;
}

/** One message a mapping asks for, its options rendered and accepted by the adapter's schema. */
export interface RenderedAction {
  mapping: string;
  index: number;
  adapter: string;
  options: Record<string, unknown>;
}

/** Why a mapping did not (fully) apply to a real event. Reported, never thrown. */
export interface EvaluationError {
  mapping: string;
  file: string;
  /** The action and its adapter, for render and options errors. */
  index?: number;
  adapter?: string;
  stage: 'when' | 'render' | 'options';
  reason: string;
}
