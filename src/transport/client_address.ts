import { BlockList, isIP } from "node:net";

/**
 * Which peers may tell us who the client is. Only a reverse proxy the operator named in
 * `TRUSTED_PROXIES` is believed about `X-Forwarded-For`; anyone else could claim any address and
 * walk around every per-address limit.
 */
export class TrustedProxies {
  #list = new BlockList();
  #empty: boolean;

  /** `entries` are addresses (`10.0.0.5`, `::1`) or CIDR ranges (`10.0.0.0/8`, `fd00::/8`). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const { address, prefix, family } = parseAddressOrRange(entry);
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, prefix, family);
    }
    this.#empty = entries.length === 0;
  }

  has(address: string): boolean {
    if (this.#empty) return false;
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? "ipv4" : "ipv6");
  }
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy, in which case the
 * right-most `X-Forwarded-For` hop that is not itself a trusted proxy (every proxy appends the
 * address it saw, so the hops left of the first untrusted one are the client's own claims).
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is shown as IPv4, so one client has one address.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  let address = normalise(peer ?? "");
  if (!trusted.has(address) || forwardedFor === undefined) return address || "unknown";
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",").map((hop) => normalise(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break; // garbage: stop at the last address we could vouch for
    address = hop;
    if (!trusted.has(hop)) break;
  }
  return address;
}

function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Parses `1.2.3.4`, `1.2.3.0/24`, `::1` or `fd00::/8`; throws a message naming the entry. */
export function parseAddressOrRange(
  entry: string,
): { address: string; prefix?: number; family: "ipv4" | "ipv6" } {
  const [address = "", prefixText, extra] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) {
    throw new Error(`"${entry}" is not an IP address or CIDR range`);
  }
  const family = version === 4 ? "ipv4" : "ipv6";
  if (prefixText === undefined) return { address, family };
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > (version === 4 ? 32 : 128)) {
    throw new Error(`"${entry}" has an invalid prefix length`);
  }
  return { address, prefix, family };
}
