import { describe, expect, it } from 'vitest';
import { idShape, newId, newIds } from '../../core/ids.js';

describe('ids of a batch (newIds)', () => {
  it('are as many new ids of the instant as asked, each shaped like newId’s, distinct and ascending', () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const ids = newIds('lot', now, 1000);
    expect(ids).toHaveLength(1000);
    expect(ids.every((id) => idShape('lot').test(id))).toBe(true);
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
    // The same instant's time part as one id drawn on its own: sortable by creation time still.
    expect(ids[0]!.slice(0, 14)).toBe(newId('lot', now).slice(0, 14));
    // Not a counter: the random part is drawn for each id.
    expect(new Set(ids.map((id) => id.slice(-4))).size).toBeGreaterThan(900);
  });
});
