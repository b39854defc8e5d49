/**
 * The members this write boundary has seen commit an active line (earn or redemption) today,
 * so a small write's flush can skip its `member_activity` upsert for them (./tally.ts): that
 * upsert only ever moves a member's last active day forward, so once a line of day D committed,
 * another upsert for day D changes nothing and counts no `activity_gaps` row. Skipping it is the
 * same write, one statement (~25 µs on SQLite) cheaper (docs/architecture.md, "Analytics
 * aggregates").
 *
 * Only committed writes add to it (the boundary calls `add` after COMMIT), so a rolled-back or
 * retried write never hides a member's first activity. It holds one day: a new day starts it
 * empty. It is bounded: past `max` members it starts over (a member missing from it costs one
 * no-op upsert, never a wrong figure). What it assumes: `member_activity` rows are only moved
 * forward — true of every write (./tally.ts `addActivity`) — or rebuilt from the whole ledger
 * (./backfill.ts), which counts every committed line, so a member committed active on day D is
 * still on day D or later afterwards.
 */
export class ActiveToday {
  private day = Number.NaN;
  private readonly members = new Set<string>();

  constructor(private readonly max = 100_000) {}

  /** True when a line of `memberId` on `day` was committed through this boundary. */
  has(day: number, memberId: string): boolean {
    return day === this.day && this.members.has(memberId);
  }

  /** Records members whose active lines of `day` just committed. */
  add(day: number, memberIds: Iterable<string>): void {
    if (day < this.day) return; // a write stamped before midnight, committed after it
    if (day !== this.day || this.members.size >= this.max) {
      this.members.clear();
      this.day = day;
    }
    for (const id of memberIds) this.members.add(id);
  }
}
