/**
 * Where outbound webhooks may go (docs/security.md, "Outbound requests"): a merchant-supplied URL
 * must not make the hub call its own network — loopback, private ranges, link-local and cloud
 * metadata services, multicast and reserved space — whether the URL names the address, spells it
 * another way (IPv4-mapped or NAT64 IPv6), or names a host that resolves there. The same policy
 * runs when an endpoint is created (a 400 saying why) and at connect time for every send, on the
 * address actually dialled, so a name that resolves elsewhere later (DNS rebinding) is refused.
 *
 * `allowPrivate` (WEBHOOK_ALLOW_PRIVATE=true, development only) lets loopback, private, CGNAT and
 * unique-local targets through, and plain http to this machine; never metadata services, the
 * unspecified address, multicast or reserved space.
 */
import { BlockList, isIP } from 'node:net';

export interface AddressPolicy {
  /** Development allowance: private and loopback targets, plain http to localhost. */
  allowPrivate: boolean;
}

type Rule = { kind: 'always' | 'private'; why: string; list: BlockList };

function rule(kind: Rule['kind'], why: string, v4: string[], v6: string[] = []): Rule {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, bits] = cidr.split('/');
    list.addSubnet(net!, Number(bits), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, bits] = cidr.split('/');
    list.addSubnet(net!, Number(bits), 'ipv6');
  }
  return { kind, why, list };
}

/** Checked in order: the first match names the reason. Metadata first (it is link-local too). */
const RULES: Rule[] = [
  rule('always', 'a cloud metadata service', ['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32'], ['fd00:ec2::254/128']),
  rule('always', 'the unspecified address', ['0.0.0.0/8'], ['::/128']),
  rule('private', 'a loopback address', ['127.0.0.0/8'], ['::1/128']),
  rule('private', 'a private address', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
  rule('private', 'a shared (CGNAT) address', ['100.64.0.0/10']),
  rule('private', 'a unique-local address', [], ['fc00::/7']),
  rule('always', 'a link-local address', ['169.254.0.0/16'], ['fe80::/10']),
  rule('always', 'a multicast address', ['224.0.0.0/4'], ['ff00::/8']),
  rule(
    'always',
    'a reserved or special-purpose address',
    ['192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4'],
    ['::/96', '100::/64', '2001::/23', '2001:db8::/32', 'fec0::/10', '64:ff9b:1::/48'],
  ),
];

/**
 * The IPv4 address an IPv6 one carries, for the forms that reach an IPv4 host: IPv4-mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
 */
function embeddedIpv4(ip: string): string | null {
  const words = expandIpv6(ip);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return null;
}

/** The eight 16-bit words of an IPv6 address (dotted IPv4 tail allowed), or null. */
function expandIpv6(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const words = text.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null;
}

/**
 * Why an IP address may not be called, or null when it may. Plain words, no address: the reason
 * is stored on deliveries that any `read` key can list.
 */
export function addressProblem(ip: string, policy: AddressPolicy): string | null {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const r of RULES) {
    if (r.list.check(ip, type)) return r.kind === 'private' && policy.allowPrivate ? null : r.why;
  }
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4) {
      const inner = addressProblem(v4, policy);
      return inner ? `an IPv6 form of ${inner}` : null;
    }
  }
  return null;
}

/** Cloud metadata host names (the addresses are refused by `addressProblem`). */
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

/** Whether a host (name or literal) is this machine: what plain http is allowed to, in development. */
function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  return family === 6 && host === '::1';
}

/**
 * Why a host name (not an IP literal) may not be called before any lookup, or null. Names that
 * only ever mean this machine or an internal network are refused outright.
 */
function hostNameProblem(host: string, policy: AddressPolicy): string | null {
  const name = host.replace(/\.$/, '');
  if (METADATA_HOSTS.has(name)) return 'a cloud metadata service';
  if (name.endsWith('.internal')) return 'an internal host name (.internal)';
  if (policy.allowPrivate) return null;
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback host name (localhost)';
  if (name.endsWith('.local')) return 'a local-network host name (.local)';
  if (!name.includes('.')) return 'a single-label host name (resolved only inside a private network)';
  return null;
}

/** The URL's host without IPv6 brackets, lower-case, as the WHATWG parser normalized it. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/**
 * Why a webhook URL may not be registered or called, or null when it may — everything that can
 * be said without a DNS lookup. The WHATWG parser has already turned `2130706433`, `0x7f000001`,
 * `0177.0.0.1` and `127.1` into `127.0.0.1`, so literals are checked in their one normal form.
 */
export function urlProblem(value: string, policy: AddressPolicy): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a valid URL';
  }
  if (url.username || url.password) return 'a webhook URL must not contain credentials';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'a webhook URL must use https';
  const host = urlHost(url);
  if (url.protocol === 'http:' && !(policy.allowPrivate && isLoopbackHost(host))) {
    return policy.allowPrivate
      ? 'a webhook URL must use https (plain http only to localhost or 127.0.0.1)'
      : 'a webhook URL must use https (plain http is refused; WEBHOOK_ALLOW_PRIVATE=true allows it to localhost in development)';
  }
  const problem = isIP(host) ? addressProblem(host, policy) : hostNameProblem(host, policy);
  return problem ? `refused: the host is ${problem}${policy.allowPrivate ? '' : privateHint(problem)}` : null;
}

function privateHint(problem: string): string {
  return /loopback|private|CGNAT|unique-local|single-label|localhost|\.local\)/.test(problem) ? ' (WEBHOOK_ALLOW_PRIVATE=true allows it in development)' : '';
}

/** Why a resolved host name may not be called: the first refused address's reason, or null. */
export function resolvedProblem(addresses: readonly string[], policy: AddressPolicy): string | null {
  for (const address of addresses) {
    const problem = addressProblem(address, policy);
    if (problem) return `refused: the host name resolves to ${problem}`;
  }
  return null;
}

/**
 * WEBHOOK_ALLOW_PRIVATE: unset, empty or `false` is the production default (refuse); `true`
 * allows private targets for development. Anything else is a start-up error, not a guess.
 */
export function allowPrivateFromEnv(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new Error(`WEBHOOK_ALLOW_PRIVATE must be "true" or "false" (got "${value}")`);
}
