/**
 * A mapping file as YAML nodes, so that every problem can name the line it is on. The engine
 * reads values from the nodes rather than from a plain object for the same reason.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

export type Segment = string | number;

export interface SourceFile {
  file: string;
  doc: Document.Parsed;
  /** 1-based line of a node (its first character). */
  lineOf(node: Node | null | undefined): number;
  /** The deepest node along `path` from `from` (a missing key points at its parent). */
  nodeAt(from: Node, path: readonly PropertyKey[]): Node;
}

export interface YamlError {
  line: number;
  reason: string;
}

export function parseSource(file: string, text: string): { source: SourceFile; errors: YamlError[] } {
  const lineCounter = new LineCounter();
  // uniqueKeys: a second `send:` silently replacing the first is exactly what a check should catch.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const nodeAt = (from: Node, path: readonly PropertyKey[]): Node => {
    let node = from;
    for (const key of path) {
      const resolved = isAlias(node) ? node.resolve(doc) : node;
      let next: unknown;
      if (isMap(resolved)) next = resolved.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.value;
      else if (isSeq(resolved) && typeof key === 'number') next = resolved.items[key];
      if (!next || !isNode(next)) return resolved ?? node;
      node = next;
    }
    return node;
  };
  const errors = doc.errors.map((e) => ({
    line: lineCounter.linePos(e.pos[0]).line,
    reason: e.code === 'MULTIPLE_DOCS' ? 'one YAML document per file (`---`); to keep several mappings in a file, make it a list (`- on: …`)' : firstLine(e.message),
  }));
  return { source: { file, doc, lineOf, nodeAt }, errors };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** `['send', 1, 'templateId']` → `send[1].templateId` (a list file's mappings start with `[2]`). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * A multi-line template's error line, relative to the node's own line. A block scalar (`|`)
 * starts on the line after its indicator.
 */
export function templateLineOffset(node: Node, templateLine: number | undefined): number {
  if (!templateLine) return 0;
  const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  return block ? templateLine : templateLine - 1;
}
