/** "Did you mean …?" for a name someone typed that is not one we know. */
/**
 * The known name a typed one most likely meant — an API body's field (core/api/closed-object.ts),
 * a CLI option (core/cli/arguments.ts): the same but for case, one that starts with the other
 * (`ttl`, `ttlSeconds`), or one a few edits away (a third of the key's length, at least one).
 */
export function closestName(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(typed.length / 3));
  for (const name of known) {
    const candidate = name.toLowerCase();
    const prefix = Math.min(typed.length, candidate.length) >= 3 && (candidate.startsWith(typed) || typed.startsWith(candidate));
    const distance = candidate === typed ? 0 : prefix ? 1 : editDistance(typed, candidate, bestDistance);
    if (distance < bestDistance || (distance === bestDistance && best === undefined)) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`; Infinity when surely more than `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return Infinity;
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
