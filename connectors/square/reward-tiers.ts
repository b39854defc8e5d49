/**
 * Which Square Loyalty reward tier a hub reward becomes at the till (docs/connectors/square.md,
 * "Rewards at the till"):
 * 1. `SQUARE_REWARD_TIERS`, a comma-separated list of `<hub reward id>=<Square reward tier id>`,
 *    when it names the hub reward;
 * 2. otherwise the tier whose name equals the hub reward's name (trimmed, case-insensitive), from
 *    RetrieveLoyaltyProgram `main`.
 */
export type RewardTierLinks = ReadonlyMap<string, string>;

export interface SquareTier {
  id: string;
  name: string;
  points: number;
}

/** Parses `SQUARE_REWARD_TIERS`; a malformed entry is a start-up error naming it. */
export function parseRewardTiers(value: string | undefined): RewardTierLinks {
  const links = new Map<string, string>();
  for (const entry of (value ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const [reward, tier, ...rest] = entry.split('=').map((p) => p.trim());
    if (!reward || !tier || rest.length) {
      throw new Error(`square: SQUARE_REWARD_TIERS entry "${entry.trim()}" is not <hub reward id>=<Square reward tier id>`);
    }
    if (links.has(reward)) throw new Error(`square: SQUARE_REWARD_TIERS names reward ${reward} twice`);
    links.set(reward, tier);
  }
  return links;
}

export function pickTier(
  reward: { id: string; name: string },
  tiers: readonly SquareTier[],
  links: RewardTierLinks,
): { tier: SquareTier } | { error: string } {
  const linked = links.get(reward.id);
  if (linked) {
    const tier = tiers.find((t) => t.id === linked);
    return tier ? { tier } : { error: `SQUARE_REWARD_TIERS links reward ${reward.id} to tier ${linked}, which the Square Loyalty program does not have` };
  }
  const wanted = reward.name.trim().toLowerCase();
  const named = tiers.filter((t) => t.name.trim().toLowerCase() === wanted);
  if (named.length === 1) return { tier: named[0]! };
  if (named.length > 1) return { error: `${named.length} Square reward tiers are named "${reward.name}"; link one in SQUARE_REWARD_TIERS (${reward.id}=<tier id>)` };
  return {
    error:
      `no Square reward tier for reward ${reward.id} ("${reward.name}"): name a tier exactly so, or link one in SQUARE_REWARD_TIERS ` +
      `(tiers: ${tiers.map((t) => `"${t.name}"`).join(', ') || 'none'})`,
  };
}
