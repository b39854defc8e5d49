/**
 * The mapping engine (docs/mappings.md): load and validate mapping files, evaluate them for an event,
 * reload them on change. See docs/mappings.md for the file format.
 */
export type { AdapterDescriptor, AdapterDescriptors, EvaluationError, LoadResult, Mapping, MappingAction, MappingProblem, RenderedAction, ScopeExtras } from './types.js';
export { listMappingFiles, loadMappingFile, loadMappings } from './load.js';
export { evaluateMapping, mappingActionsFor, type MappingOutcome } from './evaluate.js';
export { evaluationScope, type Scope } from './scope.js';
export { sampleEvent, sampleExtras } from './sample-events.js';
export { watchMappings, type MappingWatcher, type WatchOptions } from './watch.js';
export { adapterDescriptors } from './adapters.js';
export type { Condition } from './condition.js';
export type { TemplateTree } from './templates.js';
