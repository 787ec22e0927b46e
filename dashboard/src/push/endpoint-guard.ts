/**
 * Where Trygg may POST a push message. A push endpoint is a URL a signed-in person hands us and
 * the server then connects to, so without a check it is a blind SSRF: `https://127.0.0.1:5432/`,
 * the cloud's metadata address, the municipality's intranet. Only `https` on port 443 at a host
 * whose every address is public is allowed — checked when the subscription is saved, and again
 * on every connection (the guarded `lookup` below), so a name that later resolves elsewhere
 * (DNS rebinding) is refused at send time too. Origins named in `TRYGG_PUSH_ALLOW_ORIGINS` (a
 * local push service in tests and development) skip the check; nothing else does.
 */
import { lookup as dnsLookup } from 'node:dns';
import net, { BlockList, type LookupFunction } from 'node:net';
import { TryggError } from '@trygg/alarm-core';

/** Address ranges no push service lives in, by what they are (IANA special-purpose registries). */
const RANGES: [reason: string, family: 'ipv4' | 'ipv6', prefix: string, bits: number][] = [
  ['"this network"', 'ipv4', '0.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['carrier-grade NAT', 'ipv4', '100.64.0.0', 10],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['IETF protocol assignments', 'ipv4', '192.0.0.0', 24],
  ['documentation', 'ipv4', '192.0.2.0', 24],
  ['6to4 relay', 'ipv4', '192.88.99.0', 24],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['benchmarking', 'ipv4', '198.18.0.0', 15],
  ['documentation', 'ipv4', '198.51.100.0', 24],
  ['documentation', 'ipv4', '203.0.113.0', 24],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  // IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 ranges by BlockList itself.
  ['loopback', 'ipv6', '::1', 128],
  ['unspecified or IPv4-compatible', 'ipv6', '::', 96],
  ['NAT64 (it may map to any IPv4 address)', 'ipv6', '64:ff9b::', 96],
  ['NAT64 (it may map to any IPv4 address)', 'ipv6', '64:ff9b:1::', 48],
  ['discard', 'ipv6', '100::', 64],
  ['IETF protocol assignments (Teredo, …)', 'ipv6', '2001::', 23],
  ['documentation', 'ipv6', '2001:db8::', 32],
  ['6to4 (it may embed any IPv4 address)', 'ipv6', '2002::', 16],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['site-local', 'ipv6', 'fec0::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];
const BLOCKS = RANGES.map(([reason, family, prefix, bits]) => {
  const list = new BlockList();
  list.addSubnet(prefix, bits, family);
  return { reason, list };
});

/** Why this address is not a public one (loopback, private, …), or null when it is public. */
export function nonPublicReason(address: string): string | null {
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
  if (!family) return 'not an IP address';
  return BLOCKS.find((b) => b.list.check(address, family))?.reason ?? null;
}

/** A name's addresses, as the resolver answers (the system's by default; tests give their own). */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

export interface EndpointPolicy {
  /** Origins (`http://127.0.0.1:9000`) taken as they are: a local push service in tests and development. */
  allowOrigins?: readonly string[];
  resolve?: Resolve;
}

export class EndpointGuard {
  private readonly allowed: Set<string>;
  private readonly resolve: Resolve;

  constructor(policy: EndpointPolicy = {}) {
    this.allowed = new Set((policy.allowOrigins ?? []).map((o) => new URL(o).origin));
    this.resolve = policy.resolve ?? systemResolve;
  }

  /** An allow-listed origin: no address check (and `http:` allowed). */
  isAllowListed(url: URL): boolean {
    return this.allowed.has(url.origin);
  }

  /**
   * Refuses (`TRYGG_ERR_PUSH_ENDPOINT_REFUSED`, naming why) an endpoint Trygg must not POST to;
   * returns the parsed URL otherwise. Resolves the host now: a name with any non-public address
   * is refused.
   */
  async check(endpoint: string): Promise<URL> {
    const url = this.parse(endpoint);
    if (this.isAllowListed(url)) return url;
    const host = bare(url.hostname);
    if (net.isIP(host)) {
      this.refuseAddress(host);
      return url;
    }
    let addresses: { address: string }[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw refused(`endpoint: ${host} does not resolve`);
    }
    if (addresses.length === 0) throw refused(`endpoint: ${host} does not resolve`);
    for (const a of addresses) this.refuseAddress(a.address, host);
    return url;
  }

  /**
   * Before a request: the URL's form (a stored subscription may predate these rules) and, for a
   * literal address, the address itself (no lookup happens for one). Names are checked by
   * `lookupFor` as the connection is made.
   */
  checkForSend(endpoint: string): URL {
    const url = this.parse(endpoint);
    const host = bare(url.hostname);
    if (!this.isAllowListed(url) && net.isIP(host)) this.refuseAddress(host);
    return url;
  }

  /**
   * The `lookup` for a request's connection: resolves, refuses the connection when any address is
   * not public, and connects only to the addresses it checked. Undefined for an allow-listed origin.
   */
  lookupFor(url: URL): LookupFunction | undefined {
    if (this.isAllowListed(url)) return undefined;
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (addresses) => {
          const bad = addresses.find((a) => nonPublicReason(a.address) !== null);
          if (bad || addresses.length === 0) {
            const why = bad ? `${bad.address} is ${nonPublicReason(bad.address)}` : 'no address';
            callback(refused(`endpoint: ${hostname} resolves to ${why}`), '', 0);
            return;
          }
          const wanted = addresses.filter((a) => !options.family || a.family === options.family);
          const usable = wanted.length > 0 ? wanted : addresses;
          if (options.all) callback(null, usable);
          else callback(null, usable[0]?.address ?? '', usable[0]?.family ?? 4);
        },
        (err: NodeJS.ErrnoException) => callback(err, '', 0),
      );
    };
  }

  private parse(endpoint: string): URL {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw refused('endpoint is not a URL');
    }
    if (this.isAllowListed(url)) return url;
    if (url.protocol !== 'https:') throw refused('endpoint must be https');
    // Push services listen on 443; any other port is a way to reach something that is not one.
    if (url.port !== '') throw refused('endpoint must use the https port (443)');
    if (url.username || url.password) throw refused('endpoint must not carry credentials');
    return url;
  }

  private refuseAddress(address: string, name?: string): void {
    const reason = nonPublicReason(address);
    if (reason) throw refused(`endpoint: ${name ? `${name} resolves to ` : ''}${address} is ${reason}`);
  }
}

/** `[::1]` → `::1` (URL keeps the brackets of an IPv6 host). */
function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function refused(message: string): TryggError {
  return new TryggError('TRYGG_ERR_PUSH_ENDPOINT_REFUSED', message);
}
